using System.Text;
using Microsoft.Extensions.Configuration;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Service.Hosting;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Tests.Spatial;

public class SpatialConfigurationTests
{
    [Fact]
    public void SpatialSectionBindsBeamformerAndOnsetGate()
    {
        var json = """{ "StepAudio": { "Spatial": { "Beamformer": "das", "OnsetDb": 3 } } }""";
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection(StepAudioOptions.Section);
        var options = new StepAudioOptions();
        config.Bind(options);
        Assert.Empty(options.Spatial.Validate("StepAudio:Spatial"));
        var spatial = options.Spatial.ToOptions("StepAudio:Spatial");
        Assert.Equal(BeamformerKind.DelayAndSum, spatial.Beamformer);
        Assert.Equal(3, spatial.OnsetDb);
        // Not configured: onset gating stays off.
        Assert.Equal(0, new StepAudioOptions().Spatial.ToOptions("StepAudio:Spatial").OnsetDb);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(25)]
    [InlineData(double.NaN)]
    public void OnsetDbOutOfRangeIsNamed(double onsetDb)
    {
        var failures = new SpatialSettings { OnsetDb = onsetDb }.Validate("StepAudio:Spatial").ToList();
        var failure = Assert.Single(failures);
        Assert.StartsWith("StepAudio:Spatial:OnsetDb: ", failure, StringComparison.Ordinal);
        Assert.Contains("must be in [0, 20] dB", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void TrackerDistinctShareOutOfRangeIsNamed(double share)
    {
        var failure = Assert.Single(new SpatialSettings { TrackerDistinctShare = share }.Validate("StepAudio:Spatial"));
        Assert.StartsWith("StepAudio:Spatial:TrackerDistinctShare: ", failure, StringComparison.Ordinal);
        Assert.Equal(0.35, new SpatialSettings().ToOptions("s").TrackerDistinctShare);
        Assert.Equal(0.2, new SpatialSettings { TrackerDistinctShare = 0.2 }.ToOptions("s").TrackerDistinctShare);
    }

    [Theory]
    [InlineData(-0.1, 0.5, "AccumulateSeconds")]
    [InlineData(double.NaN, 0.5, "AccumulateSeconds")]
    [InlineData(0.5, -1, "TrackerReleaseSeconds")]
    [InlineData(0.5, 6, "TrackerReleaseSeconds")]
    public void AccumulationAndReleaseOutOfRangeAreNamed(double accumulate, double release, string key)
    {
        var failure = Assert.Single(new SpatialSettings { AccumulateSeconds = accumulate, TrackerReleaseSeconds = release }.Validate("StepAudio:Spatial"));
        Assert.StartsWith($"StepAudio:Spatial:{key}: ", failure, StringComparison.Ordinal);
        var options = new SpatialSettings().ToOptions("s");
        Assert.Equal((0.0, 0.0), (options.AccumulateSeconds, options.TrackerReleaseSeconds));
        Assert.Equal(0.2, new SpatialSettings { AccumulateSeconds = 0.2 }.ToOptions("s").AccumulateSeconds);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void ReflectionOrderOutOfRangeIsNamed(int order)
    {
        var failure = Assert.Single(new SpatialSettings { ReflectionOrder = order }.Validate("StepAudio:Spatial"));
        Assert.StartsWith("StepAudio:Spatial:ReflectionOrder: ", failure, StringComparison.Ordinal);
        Assert.Equal(2, new SpatialSettings().ToOptions("s").ReflectionOrder);
        Assert.Equal(0, new SpatialSettings { ReflectionOrder = 0 }.ToOptions("s").ReflectionOrder);
    }

    [Fact]
    public async Task BadSpatialSettingsStopTheServiceNamingThem()
    {
        var (code, err) = await ServiceStart.WithSettings("""
            "Spatial": { "Beamformer": "gsc", "OnsetDb": -3 }
            """);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Spatial:Beamformer", err, StringComparison.Ordinal);
        Assert.Contains("StepAudio:Spatial:OnsetDb: -3 must be in [0, 20] dB", err, StringComparison.Ordinal);
    }
}
