using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Tools.Vision;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>How <c>hil run</c> drives the service.</summary>
public sealed record HilRunOptions
{
    /// <summary>The broker to use (<c>mqtt://host:port</c>); null starts an embedded one for the run.</summary>
    public string? Broker { get; init; }

    /// <summary>Feed the audio at the device's pace (wall-clock latencies mean something) instead of as fast as possible.</summary>
    public bool Realtime { get; init; }

    /// <summary>Extra configuration files handed to every service run (e.g. model or inference settings).</summary>
    public IReadOnlyList<string> ExtraConfig { get; init; } = [];
}

/// <summary>
/// Plays each scenario into the real service — a separate <c>stepaudio run</c> process configured to
/// read the scenario's recording and publish to the rig's broker — and records every message on the
/// scenario's topic tree with its arrival time.
/// </summary>
public sealed class HilRunner(IReadOnlyList<string> serviceCommand, TextWriter log)
{
    /// <summary>The service configuration <c>hil run</c> writes into each scenario's folder.</summary>
    public const string ServiceConfigFile = "hil-service.json";

    /// <summary>The echo canceller's learned echo paths, shared by the scenarios of a set (in the set's folder).</summary>
    public const string EchoStateFile = "echo-state.bin";

    public async Task<int> RunAsync(string scenariosDirectory, HilRunOptions options, CancellationToken ct = default)
    {
        var dirs = HilTruth.ScenarioDirectories(scenariosDirectory);
        // The scenarios are one cabin: like a head unit between drives, the echo canceller starts each from what it
        // learned in the ones before. Every run starts cold, so the same scenarios give the same recording.
        var echoState = Path.Combine(Path.GetFullPath(scenariosDirectory), EchoStateFile);
        File.Delete(echoState);
        await using var embedded = options.Broker is null ? await EmbeddedBroker.StartAsync(0) : null;
        var broker = GatewayAddress.Parse(options.Broker ?? embedded!.Uri, "--broker");
        var failed = 0;
        foreach (var dir in dirs)
        {
            var truth = HilTruth.Load(Path.Combine(dir, HilTruth.FileName));
            var (code, messages) = await RunOneAsync(dir, truth, broker, options, echoState, ct);
            await log.WriteLineAsync($"{truth.Scenario}: service exit {code}, {messages} messages");
            if (code != 0) failed++;
        }
        return failed;
    }

    private async Task<(int Code, int Messages)> RunOneAsync(string dir, HilTruth truth, GatewayAddress broker, HilRunOptions options, string echoState, CancellationToken ct)
    {
        var topics = new MqttTopics($"vehicle/{truth.Scenario}/voice/v1");
        var config = Path.Combine(dir, ServiceConfigFile);
        var outbox = Path.Combine(dir, "hil-outbox.db");
        foreach (var f in new[] { outbox, outbox + "-wal", outbox + "-shm" }) File.Delete(f);
        // A scenario with a camera recording (hil generate --video, vision av-generate) runs the service's vision stage on it.
        var video = Path.Combine(dir, AvScenarioGenerator.VideoFile);
        var hasVideo = File.Exists(video);
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(
            new HilServiceConfig(new HilServiceSettings(
                truth.Cabin,
                Path.Combine(dir, "service-events.jsonl"),
                new HilServiceAudio("wav", Path.Combine(dir, truth.Audio), options.Realtime, truth.EchoReferences, truth.EchoReferences > 0 ? echoState : null),
                // Everything the service decided to publish belongs in the recording, however loaded the machine:
                // a long stop drain and no expiry of QoS 0 events on the way (latency is scored from arrival).
                new HilServiceMqtt($"mqtt://{broker.Host}:{broker.Port}", truth.Scenario, outbox, StopDrainSeconds: 60, Qos0ExpirySeconds: 600),
                hasVideo ? new HilServiceVideo("y4m", Path.GetFullPath(video)) : null)),
            HilJsonContext.Default.HilServiceConfig), ct);
        File.Delete(Path.Combine(dir, "service-events.jsonl"));

        var received = new List<HilMessage>();
        var clock = new Stopwatch();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            JsonElement payload;
            try
            {
                payload = JsonDocument.Parse(e.ApplicationMessage.Payload.ToArray()).RootElement.Clone();
            }
            catch (JsonException)
            {
                return Task.CompletedTask; // not ours to score; the MQTT tests check payloads
            }
            lock (received)
            {
                // Seconds since the pipeline started: its first status marks time zero.
                var message = new HilMessage(e.ApplicationMessage.Topic, 0, payload);
                if (!clock.IsRunning && message.State == "running") clock.Start();
                received.Add(message with { ReceivedSeconds = clock.Elapsed.TotalSeconds });
                if (message.IsFinalStatus) stopped.TrySetResult();
            }
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithClientId("hil-rig-" + truth.Scenario).WithProtocolVersion(MqttProtocolVersion.V500).Build(), ct);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topics.Prefix + "/#").WithAtLeastOnceQoS()).Build(), ct);

        var psi = new ProcessStartInfo(serviceCommand[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in serviceCommand.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "run", "--config-dir", Path.Combine(dir, "no-config-dir"), "--config", config }.Concat(options.ExtraConfig.SelectMany(c => new[] { "--config", Path.GetFullPath(c) })))
            psi.ArgumentList.Add(a);
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        using var service = Process.Start(psi) ?? throw new InvalidOperationException("could not start the service");
        var output = service.StandardOutput.ReadToEndAsync(ct);
        var errors = service.StandardError.ReadToEndAsync(ct);
        // The face nets on every frame make an accelerated run with video several times slower than audio alone.
        var limit = TimeSpan.FromSeconds((truth.DurationSeconds * (options.Realtime ? 1.5 : hasVideo ? 4 : 0.5)) + 120);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(limit);
            try
            {
                await service.WaitForExitAsync(timeout.Token);
                // The final status is published before the service exits; allow the broker a moment to deliver it.
                await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                if (!service.HasExited) service.Kill(entireProcessTree: true);
                await log.WriteLineAsync($"{truth.Scenario}: {(service.HasExited ? "no final status on the bus" : $"service still running after {limit.TotalSeconds:0} s, killed")}");
            }
        }
        await File.WriteAllTextAsync(Path.Combine(dir, "service.log"), await output + await errors, ct);
        await client.DisconnectAsync(cancellationToken: ct);

        HilMessage[] messages;
        lock (received) messages = [.. received];
        await using (var w = new StreamWriter(Path.Combine(dir, HilRecording.FileName)))
            foreach (var m in messages) HilRecording.Append(w, m);
        return (service.ExitCode, messages.Length);
    }
}
