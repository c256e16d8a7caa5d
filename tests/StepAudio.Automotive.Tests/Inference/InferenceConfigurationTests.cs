using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Tests.Inference;

public class InferenceConfigurationTests
{
    private static string Config(string json)
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "test.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ProviderChainAndModelCacheBindFromConfiguration()
    {
        var config = Config($$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}",
              "Models": { "Cache": "/var/cache/stepaudio/models" },
              "Inference": { "Providers": ["tensorrt", "cpu"], "IntraOpThreads": 2,
                             "TensorRtSettings": { "EnableInt8": true, "DlaCore": 1, "EngineCachePath": "/var/cache/stepaudio/trt" } } } }
            """);
        using var host = RunCommand.BuildHost(Path.Combine(Path.GetDirectoryName(config)!, "none"), [config]);
        var options = host.Services.GetRequiredService<IOptions<StepAudioOptions>>().Value;
        Assert.Equal(["tensorrt", "cpu"], options.Inference.Providers);
        Assert.Equal(2, options.Inference.IntraOpThreads);
        Assert.True(options.Inference.TensorRtSettings.EnableInt8);
        Assert.Equal(1, options.Inference.TensorRtSettings.DlaCore);
        Assert.Equal("/var/cache/stepaudio/models", options.Models.Cache);
    }

    [Fact]
    public async Task BadInferenceSettingsStopTheServiceNamingThem()
    {
        var config = Config($$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}",
              "Inference": { "Providers": ["npu"], "IntraOpThreads": 0 } } }
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(["run", "--config-dir", "/nonexistent", "--config", config], stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Inference:Providers: 'npu' is not an execution provider", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("StepAudio:Inference:IntraOpThreads: 0 must be at least 1", stderr.ToString(), StringComparison.Ordinal);
    }
}
