
namespace StepAudio.Automotive.Tests.Deployment;

/// <summary>
/// What can be checked here of the vehicle image without a Yocto build or a Docker engine: the
/// meta-stepaudio files parse with the BitBake grammar, and Dockerfile.arm64 passes dockerfile-utils'
/// lint (the Docker language server's checks). Both come from npm, pinned in deploy/tools.
/// </summary>
public sealed class ImageRecipeTests
{
    private static string Tools => Path.Combine(TestPaths.RepoRoot, "deploy", "tools");

    private static void RequireTools() =>
        Assert.True(Directory.Exists(Path.Combine(Tools, "node_modules")), "run `npm ci --prefix deploy/tools` first (.ci/run does)");

    private static (int Code, string Output) CheckSyntax(params string[] files)
    {
        RequireTools();
        return ExternalProcess.Run("node", [Path.Combine(Tools, "check-bitbake.mjs"), .. files]);
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

    private static (int Code, string Output) LintDockerfile(string file)
    {
        RequireTools();
        return ExternalProcess.Run(Path.Combine(Tools, "node_modules", ".bin", "dockerfile-utils"), "lint", file);
    }

    [Fact]
    public void DockerfileLints()
    {
        var (code, output) = LintDockerfile(Path.Combine(TestPaths.RepoRoot, "Dockerfile.arm64"));
        Assert.True(code == 0 && output.Trim().Length == 0, output);
    }

    [Fact]
    public void TheLinterCatchesABrokenDockerfile()
    {
        var bad = Path.Combine(TestPaths.NewTempDir(), "Dockerfile");
        File.WriteAllText(bad, "FROM debian:12\nHEALTHCHECK --intervall=30s CMD true\n");
        var (code, output) = LintDockerfile(bad);
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown flag: intervall", output, StringComparison.Ordinal);
    }
}
