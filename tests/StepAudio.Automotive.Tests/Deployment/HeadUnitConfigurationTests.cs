using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Tests.Deployment;

/// <summary>
/// deploy/config is what the head unit runs with (/etc/stepaudio): read here through the service's own
/// configuration loading, and checked against the unit, the Yocto recipe and the Jetson image.
/// </summary>
public sealed partial class HeadUnitConfigurationTests
{
    private static string Deploy(params string[] parts) => Path.Combine([TestPaths.RepoRoot, "deploy", .. parts]);

    private static StepAudioOptions Load()
    {
        // /etc/stepaudio/cabins does not exist here: the same profile from the repository replaces it.
        var installed = Path.Combine(TestPaths.NewTempDir(), "cabin.json");
        File.WriteAllText(installed, $$"""{ "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}" } }""");
        using var host = RunCommand.BuildHost(Deploy("config"), [installed]);
        return host.Services.GetRequiredService<IOptions<StepAudioOptions>>().Value;
    }

    [Fact]
    public void TheHeadUnitAsksForTensorRtThenCudaThenCpuWithEnginesInTheUnitsCacheDirectory()
    {
        var options = Load();
        Assert.Equal(["tensorrt", "cuda", "cpu"], options.Inference.Providers);
        var unit = File.ReadAllText(Deploy("systemd", "stepaudio.service"));
        var cache = "/var/cache/" + CacheDirectory().Match(unit).Groups[1].Value;
        Assert.Equal(cache, options.Inference.TensorRtSettings.EngineCachePath);
        Assert.Equal(cache, options.Inference.TensorRtSettings.TimingCachePath);
        // The cache directory is also made by tmpfiles.d for tools that run outside the unit.
        Assert.Contains($"d {cache} ", File.ReadAllText(Deploy("tmpfiles.d", "stepaudio.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public void TheConfiguredCabinProfileIsOneTheImageInstalls()
    {
        var file = File.ReadAllText(Deploy("config", "10-head-unit.json"));
        var profile = CabinProfile().Match(file);
        Assert.True(profile.Success, "CabinProfile missing from deploy/config/10-head-unit.json");
        Assert.True(File.Exists(Deploy("cabins", profile.Groups[1].Value)), $"deploy/cabins/{profile.Groups[1].Value} does not exist");
    }

    [Fact]
    public void TheRecipeAndTheImageInstallTheHeadUnitConfigurationAndUseTheSystemOnnxRuntime()
    {
        var recipe = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "yocto", "meta-stepaudio", "recipes-voice", "stepaudio", "stepaudio_0.1.0.bb"));
        Assert.Contains("${S}/deploy/config/*.json ${D}${sysconfdir}/stepaudio/", recipe, StringComparison.Ordinal);
        Assert.Contains("-p:OnnxRuntimeFromSystem=true", recipe, StringComparison.Ordinal);

        var image = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "Dockerfile.arm64"));
        Assert.Contains("COPY deploy/config/ /etc/stepaudio/", image, StringComparison.Ordinal);
        Assert.Contains("-p:OnnxRuntimeFromSystem=true", image, StringComparison.Ordinal);
        // The library the service is told to load is the one the onnxruntime stage built with TensorRT.
        var library = NativeLibrary().Match(image);
        Assert.True(library.Success, "StepAudio__Inference__NativeLibrary not set in Dockerfile.arm64");
        Assert.Contains($"COPY --from=onnxruntime /out/lib {Path.GetDirectoryName(library.Groups[1].Value)}", image, StringComparison.Ordinal);
        Assert.Contains("--use_tensorrt", image, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?m)^CacheDirectory=(\S+)$")]
    private static partial Regex CacheDirectory();

    [GeneratedRegex(@"""CabinProfile"":\s*""/etc/stepaudio/cabins/([^""]+)""")]
    private static partial Regex CabinProfile();

    [GeneratedRegex(@"StepAudio__Inference__NativeLibrary=(\S+)")]
    private static partial Regex NativeLibrary();
}
