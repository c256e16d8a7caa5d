
namespace StepAudio.Automotive.Tests.Deployment;

/// <summary>
/// What can be checked here of the vehicle image without a Yocto build or a Docker engine: the
/// meta-stepaudio files parse with the BitBake grammar, and Dockerfile.arm64 passes dockerfilelint.
/// Both tools come from npm (.ci/run installs them).
/// </summary>
public sealed class ImageRecipeTests
{
    private static string Tools => Path.Combine(TestPaths.RepoRoot, "yocto", "tools");

    private static (int Code, string Output) CheckSyntax(params string[] files)
    {
        Assert.True(Directory.Exists(Path.Combine(Tools, "node_modules")), "run `npm ci --prefix yocto/tools` first (.ci/run does)");
        return ExternalProcess.Run("node", [Path.Combine(Tools, "check-syntax.mjs"), .. files]);
    }

    [Fact]
    public void LayerRecipesParse()
    {
        var layer = Path.Combine(TestPaths.RepoRoot, "yocto", "meta-stepaudio");
        var files = Directory.GetFiles(layer, "*.bb", SearchOption.AllDirectories).Append(Path.Combine(layer, "conf", "layer.conf")).ToArray();
        Assert.True(files.Length >= 3, "recipes missing");
        var (code, output) = CheckSyntax(files);
        Assert.True(code == 0, output);
    }

    [Fact]
    public void ABrokenRecipeIsReportedWithItsLine()
    {
        var bad = Path.Combine(TestPaths.NewTempDir(), "broken_1.0.bb");
        File.WriteAllText(bad, "SUMMARY = \"broken\"\ndo_install() {\n    install -d ${D}/opt\n\nLICENSE = \"MIT\"\n");
        var (code, output) = CheckSyntax(bad);
        Assert.Equal(1, code);
        Assert.Contains(bad + ":2:1:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerfileLints()
    {
        var (code, output) = ExternalProcess.Run("dockerfilelint", Path.Combine(TestPaths.RepoRoot, "Dockerfile.arm64"));
        Assert.True(code == 0, output);
        Assert.Contains("Issues: None found", output, StringComparison.Ordinal);
    }
}
