using System.Text.Json;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Tools.Vision;

namespace StepAudio.Automotive.Tests.Hil;

/// <summary>The rig end to end: generate a scenario with TTS through the simulated cabin, play it into the real service process over the embedded broker, score it.</summary>
public class HilRigTests
{
    [Fact]
    public async Task GenerateRunAndScoreOneScenario()
    {
        var dir = TestPaths.NewTempDir();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(["hil", "generate", "--profile", TestPaths.ConsoleCabin, "--count", "1", "--seed", "11", "--echo-references", "--out", dir], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var truth = HilTruth.Load(Path.Combine(dir, "000", "truth.json"));
        Assert.Equal(2, truth.Turns.Count);
        Assert.All(truth.Turns, t => Assert.Contains(t.Voice, ScenarioGenerator.AcceptanceVoices));
        // What the door speakers play follows the microphones, as the head unit's capture carries it.
        var cabin = StepAudio.Automotive.Cabin.CabinProfileReader.Load(TestPaths.ConsoleCabin);
        Assert.Equal(cabin.Loudspeakers.Count, truth.EchoReferences);
        using (var wav = StepAudio.Automotive.Audio.WavFileSource.Open(Path.Combine(dir, "000", truth.Audio)))
            Assert.Equal(cabin.Mics.Count + cabin.Loudspeakers.Count, wav.Channels);

        // The rig starts the service as its own process: here, the test host's copy of stepaudio.dll under dotnet.
        var runner = new HilRunner(["dotnet", Path.Combine(AppContext.BaseDirectory, "stepaudio.dll")], stdout);
        var failed = await runner.RunAsync(dir, new HilRunOptions());
        Assert.True(failed == 0, stdout.ToString() + File.ReadAllText(Path.Combine(dir, "000", "service.log")));

        // The service cancelled the radio's echo and kept what it learned for the set's next scenario.
        using (var state = File.OpenRead(Path.Combine(dir, HilRunner.EchoStateFile)))
            Assert.Null(new StepAudio.Automotive.Spatial.EchoCanceller(cabin.Mics.Count, truth.EchoReferences, 257).Load(state));

        var recorded = HilRecording.Load(Path.Combine(dir, "000", HilRecording.FileName))!;
        var statuses = recorded.Where(m => m.Type == "status" && m.Payload.TryGetProperty("streamTime", out _)).ToArray();
        Assert.Equal("running", statuses[0].Payload.GetProperty("state").GetString());
        Assert.Equal("stopped", statuses[^1].Payload.GetProperty("state").GetString());
        Assert.Equal(truth.DurationSeconds, statuses[^1].StreamTime, 1);
        Assert.All(recorded, m => Assert.StartsWith($"vehicle/{truth.Scenario}/voice/v1/", m.Topic, StringComparison.Ordinal));

        code = await StepAudioCli.InvokeAsync(["hil", "score", "--scenarios", dir], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("<img", File.ReadAllText(Path.Combine(dir, "report.html")), StringComparison.Ordinal);
        Assert.Contains("| wake recall |", File.ReadAllText(Path.Combine(dir, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScenarioWithVideoRunsTheServicesVisionStage()
    {
        var dir = TestPaths.NewTempDir();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(["hil", "generate", "--profile", TestPaths.ConsoleCabin, "--count", "1", "--seed", "11", "--turns", "1", "--video", "--out", dir], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var scenario = Path.Combine(dir, "000");
        var truth = HilTruth.Load(Path.Combine(scenario, "truth.json"));
        var video = Path.Combine(scenario, AvScenarioGenerator.VideoFile);
        // 30 frames of 1280x800 gray (+ "FRAME\n") per second of audio.
        var header = File.ReadLines(video).First().Length + 1;
        Assert.Equal(Math.Round(truth.DurationSeconds * 30) * ((1280 * 800) + 6), new FileInfo(video).Length - header);

        var runner = new HilRunner(["dotnet", Path.Combine(AppContext.BaseDirectory, "stepaudio.dll")], stdout);
        var failed = await runner.RunAsync(dir, new HilRunOptions());
        Assert.True(failed == 0, stdout.ToString() + File.ReadAllText(Path.Combine(scenario, "service.log")));
        File.Delete(video);

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(scenario, "hil-service.json")));
        Assert.Equal("y4m", config.RootElement.GetProperty("StepAudio").GetProperty("Video").GetProperty("Source").GetString());
        var recorded = HilRecording.Load(Path.Combine(scenario, HilRecording.FileName))!;
        Assert.Contains(recorded, m => m.Type == "status" && m.Payload.TryGetProperty("attribution", out var a) && a.GetString() == "audio-visual");
        // The talker's lips were seen moving while the turn was spoken.
        var turn = truth.Turns[0];
        var seen = recorded.Where(m => m.Type == "visual-speech" && m.Payload.GetProperty("zone").GetString() == turn.Zone).Select(m => m.Payload.GetProperty("start").GetDouble()).ToList();
        Assert.Contains(seen, start => start >= turn.WakeStart - 0.5 && start <= turn.CommandEnd);
    }
}
