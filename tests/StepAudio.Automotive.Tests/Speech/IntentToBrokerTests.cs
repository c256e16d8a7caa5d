using System.Text.Json;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Tests.Mqtt;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>Intents and their escalations reach a real Mosquitto through `stepaudio replay --mqtt`, valid against their schemas.</summary>
public class IntentToBrokerTests
{
    [Fact]
    public async Task IntentsAndEscalationsFromAReplayReachTheBroker()
    {
        using var broker = new MosquittoBroker();
        var topics = new MqttTopics("vehicle/INTENTVIN/voice/v1");
        await using var subscriber = await BusSubscriber.ConnectAsync(broker.Port, topics, ackEscalations: true);
        var dir = TestPaths.NewTempDir();
        var events = Path.Combine(dir, "e.jsonl");
        // The demo's wake words (pretrained head) each open a window; this head always hears "i need help".
        var head = TestCommandHeads.Constant([0.05f, 0.02f, 0.03f, 0.9f], dir: dir);

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(
            ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav"),
             "--wake-head", "hey_jarvis_v0.1", "--command-head", head, "--recognizer", "head", "--events", events, "--mqtt", broker.Uri, "--vin", "INTENTVIN"],
            stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        var lines = File.ReadAllLines(events).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var wakes = lines.Count(e => e.GetProperty("type").GetString() == "wake");
        var intents = lines.Where(e => e.GetProperty("type").GetString() == "intent").ToList();
        Assert.True(wakes >= 2, $"{wakes} wake events in the demo");
        Assert.Equal(wakes, intents.Count);
        Assert.True(await subscriber.WaitForAsync(s => s.On(topics.Intent).Count() >= intents.Count && s.On(topics.Escalation).Count() >= intents.Count));
        var published = subscriber.On(topics.Intent).Select(BusSubscriber.Json).ToList();
        Assert.Equal(intents.Select(i => (i.GetProperty("zone").GetString(), i.GetProperty("streamTime").GetDouble())),
            published.Select(i => (i.GetProperty("zone").GetString(), i.GetProperty("streamTime").GetDouble())));
        Assert.All(published, i => Assert.Equal("assist.emergency", i.GetProperty("intent").GetString()));
        var escalation = BusSubscriber.Json(subscriber.On(topics.Escalation).First());
        Assert.Equal(("distress", "high"), (escalation.GetProperty("reason").GetString(), escalation.GetProperty("severity").GetString()));
        Assert.Empty(subscriber.SchemaProblems);

        // The final status counts the windows and their outcomes.
        var commands = lines[^1].GetProperty("commands");
        Assert.Equal(wakes, commands.GetProperty("windows").GetInt32());
        Assert.Equal(wakes, commands.GetProperty("intents").GetInt32());
        Assert.Equal(0, commands.GetProperty("noMatch").GetInt32());
    }
}
