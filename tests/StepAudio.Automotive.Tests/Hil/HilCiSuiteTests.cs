using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tests.Hil;

/// <summary>
/// The CI HIL suite: twelve seeded scenarios (held-out voices, chatter, radio, road noise at 10–20 dB)
/// played through the real service process and scored, once as a capture of the microphones alone and once
/// with the loudspeakers' feeds in it (the echo canceller on). It gates on <c>deploy/hil/ci-floor.json</c>, a
/// regression floor just under what the service measures: intent accuracy 62.5 % (15 of 24 turns) alone and
/// 66.7 % with the feeds, floor 55 %; wake recall 75.0 % and 83.3 %, floor 70 %; no false intents; p95 195 ms
/// either way, floor 300 ms; the 10 turns nobody else talks over all right either way, floor 90 %. The speech issue's targets are in <c>deploy/hil/targets.json</c>; the service does
/// not reach them yet (README, HIL rig), so gating CI on them would stop every change.
/// </summary>
public class HilCiSuiteTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CiSuiteStaysAboveTheFloor(bool echoReferences)
    {
        var dir = TestPaths.NewTempDir();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] generate = ["hil", "generate", "--profile", TestPaths.ConsoleCabin, "--count", "12", "--seed", "21", "--snr", "10,15,20", "--out", dir];
        var code = await StepAudioCli.InvokeAsync(echoReferences ? [.. generate, "--echo-references"] : generate, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        var runner = new HilRunner(["dotnet", Path.Combine(AppContext.BaseDirectory, "stepaudio.dll")], stdout);
        var failed = await runner.RunAsync(dir, new HilRunOptions());
        Assert.True(failed == 0, stdout.ToString());

        var floor = Path.Combine(TestPaths.RepoRoot, "deploy", "hil", "ci-floor.json");
        code = await StepAudioCli.InvokeAsync(["hil", "score", "--scenarios", dir, "--thresholds", floor], stdout, stderr);
        var report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.True(code == ExitCodes.Ok, report + stderr);
        Assert.Contains("24 turns", report, StringComparison.Ordinal);

        // The same run against the targets is scored, not gated: it must at least be read and checked.
        var targets = Path.Combine(TestPaths.RepoRoot, "deploy", "hil", "targets.json");
        code = await StepAudioCli.InvokeAsync(["hil", "score", "--scenarios", dir, "--thresholds", targets], stdout, stderr);
        Assert.Contains(code, new[] { ExitCodes.Ok, ExitCodes.BelowThreshold });
    }
}
