using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tests.Hil;

/// <summary>
/// The CI HIL suite: twelve seeded scenarios (held-out voices, chatter, radio, road noise at 10–20 dB)
/// played through the real service process and scored. It gates on <c>deploy/hil/ci-floor.json</c>, a
/// regression floor just under what the service measures (intent accuracy 58.3 % = 14 of 24 turns,
/// floor 50 %; wake recall 75 % since the wake verification (83 % before), floor 70 %; no false intents, p95 276 ms, floor 300 ms). The speech issue's targets are in <c>deploy/hil/targets.json</c>;
/// the heads do not reach them yet (README, HIL rig), so gating CI on them would stop every change.
/// </summary>
public class HilCiSuiteTests
{
    [Fact]
    public async Task CiSuiteStaysAboveTheFloor()
    {
        var dir = TestPaths.NewTempDir();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(["hil", "generate", "--profile", TestPaths.ConsoleCabin, "--count", "12", "--seed", "21", "--snr", "10,15,20", "--out", dir], stdout, stderr);
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
