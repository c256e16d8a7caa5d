using System.Text.Json;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Mqtt;

public class ReplayToBrokerTests
{
    private static async Task<(int Code, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stderr.ToString());
    }

    private static string DeadMicWav(string dir)
    {
        // Channel 1 dead: the replay decides several status events.
        var path = Path.Combine(dir, "in.wav");
        var x = new float[16000 * 3 * 4];
        var rng = new Random(3);
        for (var i = 0; i < x.Length; i++) x[i] = i % 4 == 1 ? 0 : (float)(0.05 * (rng.NextDouble() - 0.5));
        WavWriter.Write(path, x, 4, 16000);
        return path;
    }

    [Fact]
    public async Task ReplayPublishesItsEventsToTheBrokerAsTheServiceWould()
    {
        using var broker = new MosquittoBroker();
        var topics = new MqttTopics("vehicle/TESTVIN42/voice/v1");
        await using var subscriber = await BusSubscriber.ConnectAsync(broker.Port, topics);
        var dir = TestPaths.NewTempDir();
        var events = Path.Combine(dir, "e.jsonl");

        var (code, err) = await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", DeadMicWav(dir), "--events", events, "--mqtt", broker.Uri, "--vin", "TESTVIN42");
        Assert.True(code == 0, err);

        // Every JSONL event arrived, in order, as the same contract JSON plus the envelope.
        var lines = File.ReadAllLines(events);
        Assert.True(lines.Length >= 3);
        Assert.True(await subscriber.WaitForAsync(s => s.On(topics.Status).Count(m => m.UserProperties is not null) >= lines.Length));
        var published = subscriber.On(topics.Status).Where(m => m.UserProperties is not null).ToList();
        for (var i = 0; i < lines.Length; i++)
        {
            var text = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(published[i].Payload));
            Assert.StartsWith(lines[i][..^1] + ",\"messageId\":", text, StringComparison.Ordinal);
        }
        Assert.Empty(subscriber.SchemaProblems);
    }

    [Fact]
    public async Task UnreachableBrokerIsReportedAfterTheTimeout()
    {
        using var broker = new MosquittoBroker();
        var uri = broker.Uri;
        broker.Stop();
        var dir = TestPaths.NewTempDir();
        var (code, err) = await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", DeadMicWav(dir), "--events", Path.Combine(dir, "e.jsonl"), "--mqtt", uri, "--mqtt-timeout", "0.5");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Matches($"^stepaudio: --mqtt {uri}: \\d+ message\\(s\\) not acknowledged within 0.5 s", err);
    }

    [Theory]
    [InlineData("--mqtt", "http://broker:1883", "stepaudio: --mqtt: 'http://broker:1883' is not mqtt://host:port or mqtts://host:port")]
    [InlineData("--vin", "a/b", "stepaudio: --vin: 'a/b' is empty or holds a topic character (/ + #)")]
    public async Task BadMqttOptionsAreOneClearLine(string option, string value, string expected)
    {
        var dir = TestPaths.NewTempDir();
        var args = new List<string> { "replay", "--cabin", TestPaths.ConsoleCabin, "--audio", DeadMicWav(dir), "--events", Path.Combine(dir, "e.jsonl"), option, value };
        if (option == "--vin") args.AddRange(["--mqtt", "mqtt://127.0.0.1:1"]);
        var (code, err) = await Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith(expected, err, StringComparison.Ordinal);
    }
}
