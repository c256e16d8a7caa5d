using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using StepAudio.Automotive.Mqtt.Control;
using StepAudio.Automotive.Pipeline;
using System.Text.Json;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Cli;

public class RunCommandTests
{
    private static async Task<(int Code, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stderr.ToString());
    }

    private static string Config(string dir, string json)
    {
        var path = Path.Combine(dir, "test.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task ServiceRunsARecordingFromConfigurationAndStopsAtItsEnd()
    {
        var dir = TestPaths.NewTempDir();
        var wav = Path.Combine(dir, "in.wav");
        var rng = new Random(2);
        WavWriter.Write(wav, Enumerable.Range(0, 16000 * 4).Select(_ => (float)(0.02 * (rng.NextDouble() - 0.5))).ToArray(), 4, 16000);
        var events = Path.Combine(dir, "events.jsonl");
        var outbox = Path.Combine(dir, "mqtt", "outbox.db");
        // No gateway configured: the embedded broker starts (on a free port here, 1883 by default). The 1 s
        // recording can end before the publisher's first connection on a loaded machine, so the stop drain
        // gets 30 s instead of the default 2 (it returns as soon as the outbox is empty).
        var config = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "EventsPath": "{{events}}",
              "Audio": { "Source": "wav", "Path": "{{wav}}", "Realtime": false },
              "Mqtt": { "OutboxPath": "{{outbox}}", "StopDrainSeconds": 30, "EmbeddedBroker": { "Port": 0 } } } }
            """);
        var (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.True(code == 0, err);
        var last = JsonDocument.Parse(File.ReadAllLines(events)[^1]).RootElement;
        Assert.Equal("stopped", last.GetProperty("state").GetString());
        Assert.Equal(1.0, last.GetProperty("streamTime").GetDouble());
        // Every event reached the embedded broker: the outbox exists and is empty.
        Assert.True(File.Exists(outbox));
        using var store = new StepAudio.Automotive.Mqtt.Outbox(outbox, 1000, TimeProvider.System);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task LoudspeakerReferencesFollowTheMicrophonesAndTheEchoPathsAreKeptBetweenStarts()
    {
        var dir = TestPaths.NewTempDir();
        var wav = Path.Combine(dir, "in.wav");
        var rng = new Random(5);
        // 4 microphones + 2 loudspeaker feeds; the "echo" is each feed, halved, in every microphone.
        var frames = 16000 * 2;
        var x = new float[frames * 6];
        for (var t = 0; t < frames; t++)
        {
            var (a, b) = ((float)(0.1 * (rng.NextDouble() - 0.5)), (float)(0.1 * (rng.NextDouble() - 0.5)));
            for (var m = 0; m < 4; m++) x[(t * 6) + m] = (0.5f * a) + (0.25f * b) + (float)(0.001 * (rng.NextDouble() - 0.5));
            (x[(t * 6) + 4], x[(t * 6) + 5]) = (a, b);
        }
        WavWriter.Write(wav, x, 6, 16000);
        var state = Path.Combine(dir, "echo.bin");
        var config = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Mqtt": { "Enabled": false },
              "Audio": { "Source": "wav", "Path": "{{wav}}", "Realtime": false, "EchoReferences": 2, "EchoStatePath": "{{state}}" } } }
            """);
        var (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.True(code == 0, err);
        using (var stream = File.OpenRead(state))
            Assert.Null(new StepAudio.Automotive.Spatial.EchoCanceller(4, 2, 257).Load(stream));
        // The next start reads it (a state of another shape would be named in a warning, and the start goes on).
        (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.True(code == 0, err);

        // The capture must carry what the settings say: named by file.
        var e = Assert.Throws<InvalidInputException>(() => AudioSourceFactory.OpenRecording(wav, CabinProfileReader.Load(TestPaths.ConsoleCabin), references: 1));
        Assert.Equal($"{wav}: 6 channel(s), but cabin profile 'sedan-console-circular' has 4 microphones and 1 loudspeaker reference channels follow them", e.Message);

        var bad = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Mqtt": { "Enabled": false },
              "Audio": { "Source": "wav", "Path": "{{wav}}", "EchoReferences": -1 } } }
            """);
        (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", bad);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio: StepAudio:Audio:EchoReferences: -1 must be 0..16", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MqttCanBeSwitchedOffAndBadMqttSettingsAreNamed()
    {
        var dir = TestPaths.NewTempDir();
        var wav = Path.Combine(dir, "in.wav");
        WavWriter.Write(wav, new float[16000 * 4], 4, 16000);
        var off = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Audio": { "Source": "wav", "Path": "{{wav}}", "Realtime": false },
              "Mqtt": { "Enabled": false } } }
            """);
        var (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", off);
        Assert.True(code == 0, err);

        var bad = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Audio": { "Source": "wav", "Path": "{{wav}}" },
              "Mqtt": { "Gateway": "tcp://gw", "Vin": "a#b", "StopDrainSeconds": -1, "Tls": { "CaFile": "/nonexistent/ca.pem" } } } }
            """);
        (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", bad);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio: StepAudio:Mqtt:Gateway: 'tcp://gw' is not mqtt://host:port or mqtts://host:port", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Mqtt:Vin: 'a#b'", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Mqtt:StopDrainSeconds: must be 0..300", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Mqtt:Tls:CaFile: /nonexistent/ca.pem: file not found", err, StringComparison.Ordinal);

        // An outbox that cannot be created stops the service with a message naming it.
        var blocker = Path.Combine(dir, "not-a-dir");
        File.WriteAllText(blocker, "");
        var noOutbox = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Audio": { "Source": "wav", "Path": "{{wav}}", "Realtime": false },
              "Mqtt": { "OutboxPath": "{{blocker}}/outbox.db", "EmbeddedBroker": { "Port": 0 } } } }
            """);
        (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", noOutbox);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith($"stepaudio: {blocker}/outbox.db: cannot open the MQTT outbox", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACabinProfileThatDoesNotParseStopsTheStartNamingTheFile()
    {
        var dir = TestPaths.NewTempDir();
        var cabin = Path.Combine(dir, "cabin.json");
        File.WriteAllText(cabin, """{ "name": "broken", "microphones": [ """);
        var etc = Directory.CreateDirectory(Path.Combine(dir, "etc")).FullName;
        File.WriteAllText(Path.Combine(etc, "10-cabin.json"), $$"""{ "StepAudio": { "CabinProfile": "{{cabin}}", "Audio": { "Source": "wav", "Path": "{{Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav")}}" } } }""");
        var (code, err) = await Run("run", "--config-dir", etc);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(cabin, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigDirectoryFilesApplyInNameOrder()
    {
        var dir = TestPaths.NewTempDir();
        var etc = Directory.CreateDirectory(Path.Combine(dir, "etc")).FullName;
        File.WriteAllText(Path.Combine(etc, "10-base.json"), """{ "StepAudio": { "Audio": { "Source": "wav", "Path": "/nonexistent/a.wav" } } }""");
        File.WriteAllText(Path.Combine(etc, "20-override.json"), """{ "StepAudio": { "Audio": { "Path": "/nonexistent/b.wav" } } }""");
        var (code, err) = await Run("run", "--config-dir", etc);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Audio:Path: /nonexistent/b.wav: file not found", err, StringComparison.Ordinal);
        Assert.DoesNotContain("a.wav", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidConfigurationStopsWithMessagesNamingEachSetting()
    {
        var dir = TestPaths.NewTempDir();
        var config = Config(dir, """
            { "StepAudio": { "CabinProfile": "/nonexistent/cabin.json", "Audio": { "Source": "usb", "Format": "mp3" },
              "WakeVerifier": { "MinScore": 3, "DelaySeconds": 2 } } }
            """);
        var (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio: StepAudio:CabinProfile: /nonexistent/cabin.json: cannot read cabin profile", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:WakeVerifier:MinScore: 3 must be between -30 and 0 (nats per token)", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:WakeVerifier:DelaySeconds: 2 must be between 0 and 1", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Audio:Source: 'usb' is not a source (use alsa, wav or raw)", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CameraSettingsAreCheckedAtStart()
    {
        var dir = TestPaths.NewTempDir();
        var config = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Audio": { "Source": "wav", "Path": "/nonexistent/a.wav" },
              "Video": { "Source": "raw", "Path": "-", "Format": "RGB3", "FrameRate": 500 } } }
            """);
        var (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Video:FrameRate: 500 must be in [1, 240]", err, StringComparison.Ordinal);
        Assert.Contains("StepAudio:Video:Format", err, StringComparison.Ordinal);
        config = Config(dir, """{ "StepAudio": { "Audio": { "Source": "wav", "Path": "/nonexistent/a.wav" }, "Video": { "Source": "usb" } } }""");
        (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Video:Source: 'usb' is not a source (use none, v4l2, y4m or raw)", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlsaSettingsAreCheckedAtStart()
    {
        var dir = TestPaths.NewTempDir();
        var config = Config(dir, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}",
              "Audio": { "Source": "alsa", "Device": "cabin_array", "Format": "f32le", "AlsaConfig": "/nonexistent/asound.conf" } } }
            """);
        var (code, err) = await Run("run", "--config-dir", Path.Combine(dir, "none"), "--config", config);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Audio:Format: 'f32le' is not captured from ALSA (use s16le or s32le)", err, StringComparison.Ordinal);
        Assert.Contains("StepAudio:Audio:AlsaConfig: /nonexistent/asound.conf: file not found", err, StringComparison.Ordinal);
    }
}

public class RunCommandWiringTests
{
    [Fact]
    public void MqttMuteReachesThePipelinesListeningControl()
    {
        var dir = TestPaths.NewTempDir();
        var config = Path.Combine(dir, "c.json");
        File.WriteAllText(config, $$"""{ "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Mqtt": { "Enabled": false } } }""");
        using var host = RunCommand.BuildHost(Path.Combine(dir, "none"), [config]);
        var listening = host.Services.GetRequiredService<ListeningControl>();
        var control = host.Services.GetRequiredService<ControlState>();

        control.SetMuted(["rear-left"], true);
        Assert.Equal(["rear-left"], listening.MutedZones());
        control.SetMuted(["rear-left"], false);
        Assert.Empty(listening.MutedZones());
    }

    /// <summary>The host lets the MQTT stop drain run as long as it is configured to (the HIL rig's 60 s), and keeps 10 s under systemd's 15 s otherwise.</summary>
    [Theory]
    [InlineData("", 10)]
    [InlineData(", \"StopDrainSeconds\": 60", 65)]
    public void TheHostWaitsForTheConfiguredStopDrain(string drain, int seconds)
    {
        var dir = TestPaths.NewTempDir();
        var config = Path.Combine(dir, "c.json");
        File.WriteAllText(config, $$"""{ "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Mqtt": { "Enabled": false{{drain}} } } }""");
        using var host = RunCommand.BuildHost(Path.Combine(dir, "none"), [config]);
        Assert.Equal(TimeSpan.FromSeconds(seconds), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
