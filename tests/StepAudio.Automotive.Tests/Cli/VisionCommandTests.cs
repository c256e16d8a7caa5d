using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Cli;

/// <summary><c>stepaudio vision generate|score</c>: a short round trip and the bad-input messages.</summary>
public class VisionCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Headliner => Path.Combine(TestPaths.RepoRoot, "deploy", "cabins", "sedan-headliner-linear.json");

    [Fact]
    public async Task GeneratesAVideoAndScoresIt()
    {
        var dir = TestPaths.NewTempDir();
        var video = Path.Combine(dir, "cam.y4m");
        var (code, output, err) = await Run("vision", "generate", "--cabin", Headliner, "--out", video, "--seconds", "2", "--talkers", "driver");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("640x480, 2 s at 30 fps", output, StringComparison.Ordinal);
        var header = new FileInfo(video).Length - (60 * (6 + (640 * 480))); // 60 mono frames after one header line
        Assert.InRange(header, 20, 100);
        Assert.True(File.Exists(Path.Combine(dir, "cam.truth.json")));
        (code, output, err) = await Run("vision", "score", "--cabin", Headliner, "--video", video, "--trace", Path.Combine(dir, "t.csv"));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("\"frames\":60", output, StringComparison.Ordinal);
        // A row per seat and frame whose decision (0.2 s back) falls inside the video.
        Assert.InRange(File.ReadAllLines(Path.Combine(dir, "t.csv")).Length, 1 + (4 * 50), 1 + (4 * 60));
    }

    [Theory]
    [InlineData("--talkers", "boot", "stepaudio: --talkers: 'boot' has no camera region")]
    [InlineData("--seconds", "0", "stepaudio: --seconds: 0 must be in (0, 600]")]
    [InlineData("--fps", "0", "stepaudio: --fps: 0 must be in [1, 240]")]
    public async Task BadGenerateInputIsOneClearLine(string option, string value, string expectedStart)
    {
        var (code, _, err) = await Run("vision", "generate", "--cabin", Headliner, "--out", Path.Combine(TestPaths.NewTempDir(), "c.y4m"), option, value);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith(expectedStart, err, StringComparison.Ordinal);
    }
}
