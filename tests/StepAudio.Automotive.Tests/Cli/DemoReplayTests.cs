using System.Text.Json;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Cli;

/// <summary>The committed demo recording through the whole pipeline: each seat's "hey jarvis" wakes that seat.</summary>
public class DemoReplayTests
{
    [Fact]
    public async Task EveryWakeWordInTheDemoWakesTheSeatThatSaidIt()
    {
        _ = TestModels.HeyJarvis; // fails with "run stepaudio models fetch" when the models are missing
        var events = Path.Combine(TestPaths.NewTempDir(), "demo.jsonl");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(
            ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav"), "--wake-head", "hey_jarvis_v0.1", "--events", events],
            stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.truth.json")));
        var spoken = truth.RootElement.GetProperty("utterances").EnumerateArray()
            .Where(u => u.GetProperty("text").GetString()!.StartsWith("hey jarvis", StringComparison.Ordinal))
            .Select(u => (Zone: u.GetProperty("zone").GetString(), Start: u.GetProperty("start").GetDouble(), End: u.GetProperty("end").GetDouble()))
            .ToArray();
        var wakes = File.ReadLines(events).Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("type").GetString() == "wake").ToArray();

        Assert.Equal(spoken.Length, wakes.Length);
        var status = JsonDocument.Parse(File.ReadLines(events).First()).RootElement;
        Assert.Equal(
            ["silero_vad_v5.onnx:cpu", "melspectrogram.onnx:cpu", "embedding_model.int8.onnx:cpu", "hey_jarvis_v0.1.onnx:cpu", "commands-en.onnx:cpu"], // the INT8 embedding by default
            status.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("file").GetString() + ":" + m.GetProperty("provider").GetString()));
        foreach (var (zone, start, end) in spoken)
        {
            var wake = Assert.Single(wakes, w => w.GetProperty("streamTime").GetDouble() > start && w.GetProperty("streamTime").GetDouble() < end + 1.5);
            Assert.Equal(zone, wake.GetProperty("zone").GetString());
            Assert.Equal("hey_jarvis", wake.GetProperty("keyword").GetString());
        }
    }
}
