using System.CommandLine;
using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt.Control;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio run</c>: the long-running service. Configuration, later sources winning:
/// appsettings.json beside the binary, <c>/etc/stepaudio/*.json</c> in name order,
/// environment variables (<c>StepAudio__Audio__Device=hw:2,0</c>), then <c>--config</c> files.
/// </summary>
public static class RunCommand
{
    public const string DefaultConfigDir = "/etc/stepaudio";

    public static Command Build(TextWriter stderr)
    {
        var configDir = new Option<string>("--config-dir") { Description = "Directory of *.json configuration files", DefaultValueFactory = _ => DefaultConfigDir };
        var configFiles = new Option<string[]>("--config") { Description = "Extra JSON configuration file(s), applied last", AllowMultipleArgumentsPerToken = true };
        var command = new Command("run", "Run the voice service (under systemd: Type=notify)") { configDir, configFiles };
        command.SetAction(async (parse, ct) =>
        {
            using var host = BuildHost(parse.GetRequiredValue(configDir), parse.GetValue(configFiles) ?? []);
            try
            {
                await host.StartAsync(ct);
            }
            catch (OptionsValidationException e)
            {
                foreach (var f in e.Failures) await stderr.WriteLineAsync($"stepaudio: {f}");
                return ExitCodes.BadInput;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The service asked to stop while still starting (a short recording read to its end on a loaded
                // machine): the host cancels the rest of the start; stopping below runs as after any end of input.
            }
            await host.WaitForShutdownAsync(ct);
            return Environment.ExitCode;
        });
        return command;
    }

    /// <summary>
    /// How long the host lets the services stop: 10 s, under systemd's TimeoutStopSec=15, or longer when the MQTT
    /// stop drain is set to wait longer (the HIL rig's 60 s: every decided event must reach its recording). Cut
    /// short, the drain leaves the rest in the outbox. A value that does not parse or is out of range stops the
    /// start in validation (StepAudio:Mqtt:StopDrainSeconds); until then it counts as 0.
    /// </summary>
    internal static TimeSpan ShutdownTimeout(string? stopDrainSeconds) =>
        TimeSpan.FromSeconds(Math.Max(10, (int.TryParse(stopDrainSeconds, out var drain) ? (long)drain : 0) + 5));

    public static IHost BuildHost(string configDir, IReadOnlyList<string> extraConfig)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        if (Directory.Exists(configDir))
            foreach (var f in Directory.GetFiles(configDir, "*.json").Order(StringComparer.Ordinal))
                builder.Configuration.AddJsonFile(f, optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        foreach (var f in extraConfig)
        {
            if (!File.Exists(f)) throw new InvalidInputException(f, "configuration file not found");
            builder.Configuration.AddJsonFile(Path.GetFullPath(f), optional: false, reloadOnChange: false);
        }

        builder.Services.AddSystemd();
        // Read from the configuration, not the bound options: those are validated at start, with their own messages.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout(builder.Configuration[$"{StepAudioOptions.Section}:Mqtt:StopDrainSeconds"]));
        builder.Services.AddOptions<StepAudioOptions>()
            .Bind(builder.Configuration.GetSection(StepAudioOptions.Section))
            .PostConfigure(o => StepAudioOptions.ReplaceDefaultLists(o, builder.Configuration.GetSection(StepAudioOptions.Section)))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StepAudioOptions>, StepAudioOptionsValidator>();
        // Loaded once, after the validator has checked it.
        builder.Services.AddSingleton(sp => CabinProfileReader.Load(sp.GetRequiredService<IOptions<StepAudioOptions>>().Value.CabinProfile));
        builder.Services.AddSingleton<LoggingEventSink>();
        builder.Services.AddSingleton<PipelineHeartbeat>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ControlState>();
        builder.Services.AddSingleton<MqttGatewayService>();
        builder.Services.AddSingleton<IEventSink>(sp =>
        {
            var sinks = new List<IEventSink> { sp.GetRequiredService<PipelineHeartbeat>(), sp.GetRequiredService<LoggingEventSink>() };
            var path = sp.GetRequiredService<IOptions<StepAudioOptions>>().Value.EventsPath;
            if (!string.IsNullOrEmpty(path)) sinks.Add(new JsonlEventWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)));
            sinks.Add(sp.GetRequiredService<MqttGatewayService>());
            return new PrivacyFilter(sp.GetRequiredService<ControlState>(), new EventFanOut(sinks));
        });
        // MQTT first: the broker and publisher are up before the pipeline decides anything.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttGatewayService>());
        builder.Services.AddSingleton(sp =>
        {
            var listening = new ListeningControl(sp.GetRequiredService<CabinProfile>().Zones.Select(z => z.Name));
            // Mutes asked for over MQTT (control/mute) stop the pipeline listening in those zones; the
            // privacy filter also keeps anything already decided there off every sink.
            var control = sp.GetRequiredService<ControlState>();
            control.Changed += () =>
            {
                foreach (var zone in listening.Zones) listening.SetMuted(zone, control.IsMuted(zone));
            };
            return listening;
        });
        if (builder.Configuration.GetValue<bool>("StepAudio:Gpio:Enabled"))
        {
            builder.Services.AddHostedService(sp =>
            {
                var gpio = sp.GetRequiredService<IOptions<StepAudioOptions>>().Value.Gpio;
                return new GpioControls(
                    gpio,
                    new GpioController(new LibGpiodDriver(gpio.Chip)),
                    sp.GetRequiredService<ListeningControl>(),
                    sp.GetRequiredService<PipelineHeartbeat>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<GpioControls>>());
            });
        }
        // After the GPIO controls, so the privacy switch's position applies before audio is processed.
        builder.Services.AddHostedService<VoicePipelineService>();
        builder.Services.AddHostedService<SystemdWatchdogService>();
        return builder.Build();
    }
}
