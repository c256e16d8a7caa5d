using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Tests.Spatial;

public class LocalizationTests
{
    private static (float[][] Re, float[][] Im) Spectra(Stft stft, StftAnalyzer[] analyzers, float[][] mics, int hopIndex)
    {
        var re = new float[mics.Length][];
        var im = new float[mics.Length][];
        for (var m = 0; m < mics.Length; m++)
        {
            re[m] = new float[stft.Bins];
            im[m] = new float[stft.Bins];
            analyzers[m].Push(mics[m].AsSpan(hopIndex * stft.Hop, stft.Hop), re[m], im[m]);
        }
        return (re, im);
    }

    [Fact]
    public void GccPhatFindsTheGeometricDelayOfAPair()
    {
        var profile = CabinProfileReader.Load(TestPaths.LinearCabin);
        var geometry = new ArrayGeometry(profile);
        var source = profile.Zones[0].Position;
        var mics = SyntheticArray.Render(profile, [(source, SyntheticArray.WhiteNoise(16000, 1))], 16000, sensorNoiseRms: 0.002);
        var stft = new Stft();
        var analyzers = mics.Select(_ => new StftAnalyzer(stft)).ToArray();
        var gcc = new GccPhat(512, 16000, 300, 3500, geometry.MaxDelaySeconds);
        var r = new float[gcc.LagCount];
        for (var h = 0; h < 50; h++)
        {
            var (re, im) = Spectra(stft, analyzers, mics, h);
            if (h < 10) continue;
            gcc.Correlate(re[0], im[0], re[3], im[3], r);
            var expected = geometry.ArrivalSeconds(source, 0) - geometry.ArrivalSeconds(source, 3);
            Assert.InRange(gcc.Tdoa(r) - expected, -4e-6, 4e-6);
        }
    }

    [Theory]
    [InlineData("sedan-console-circular")]
    [InlineData("sedan-headliner-linear")]
    public void SrpPhatPointsAtEverySeat(string cabin)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        var geometry = new ArrayGeometry(profile);
        var stft = new Stft();
        var srp = new SrpPhatLocalizer(geometry, 512, 16000);
        foreach (var zone in profile.Zones)
        {
            var mics = SyntheticArray.Render(profile, [(zone.Position, SyntheticArray.WhiteNoise(8000, 3))], 8000, sensorNoiseRms: 0.002);
            var analyzers = mics.Select(_ => new StftAnalyzer(stft)).ToArray();
            var (trueAz, _) = geometry.DirectionOf(zone.Position);
            for (var h = 0; h < 40; h++)
            {
                var (re, im) = Spectra(stft, analyzers, mics, h);
                if (h < 10) continue;
                srp.Process(re, im);
                var d = srp.PeakNear(zone.Position - geometry.Centre, 30);
                var error = Math.Abs(Math.IEEERemainder(srp.AzimuthDeg(d) - trueAz, 360));
                Assert.True(error <= 3, $"{cabin} {zone.Name}: azimuth {srp.AzimuthDeg(d):0.0}° vs {trueAz:0.0}°");
                if (!geometry.IsCollinear)
                {
                    // A planar array has a mirror image but no other ambiguity: the global peak is the seat or its mirror.
                    var g = srp.Peak();
                    var globalError = Math.Abs(Math.IEEERemainder(srp.AzimuthDeg(g) - trueAz, 360));
                    Assert.True(globalError <= 4, $"{cabin} {zone.Name}: global peak azimuth {srp.AzimuthDeg(g):0.0}° vs {trueAz:0.0}°");
                }
            }
        }
    }

    [Theory]
    [InlineData("sedan-console-circular")]
    [InlineData("sedan-headliner-linear")]
    public void ZoneMapGivesTwoSimultaneousTalkersTheirOwnSeats(string cabin)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        var geometry = new ArrayGeometry(profile);
        var stft = new Stft();
        var srp = new SrpPhatLocalizer(geometry, 512, 16000);
        var map = new ZoneMap(geometry, srp, 512, 16000);
        var usable = new bool[] { true, true, true, true };
        // Speech-like sparsity: each talker alternates 40 ms noise bursts with short gaps, out of step.
        var n = 32000;
        var a = SyntheticArray.WhiteNoise(n, 5);
        var b = SyntheticArray.WhiteNoise(n, 6);
        var rng = new Random(3);
        for (var i = 0; i < n; i += 320)
        {
            var ga = rng.NextDouble() < 0.5 ? 1f : 0.1f;
            var gb = rng.NextDouble() < 0.5 ? 1f : 0.1f;
            for (var j = i; j < Math.Min(n, i + 320); j++)
            {
                a[j] *= ga;
                b[j] *= gb;
            }
        }
        var driver = profile.ZoneIndex("driver");
        var rearRight = profile.ZoneIndex("rear-right");
        var mics = SyntheticArray.Render(profile, [(profile.Zones[driver].Position, a), (profile.Zones[rearRight].Position, b)], n, sensorNoiseRms: 0.001);
        var analyzers = mics.Select(_ => new StftAnalyzer(stft)).ToArray();
        var sums = new double[map.Candidates.Length];
        for (var h = 0; h < (n / 160) - 1; h++)
        {
            var (re, im) = Spectra(stft, analyzers, mics, h);
            map.Observe(re, im, usable);
            srp.Process(re, im, map.Mask);
            map.Score();
            if (h < 20) continue;
            for (var c = 0; c < sums.Length; c++) sums[c] += map.Evidence[c];
        }
        var ranked = Enumerable.Range(0, map.ZoneCount).OrderByDescending(c => sums[c]).ToArray();
        Assert.Equal(new[] { driver, rearRight }.Order(), ranked.Take(2).Order());
        Assert.True(sums[ranked[2]] < 0.6 * sums[ranked[1]], $"third zone {ranked[2]} too strong: {string.Join(", ", sums.Select(s => s.ToString("0.0")))}");
    }

    [Fact]
    public void GeometryCheckWarnsAboutZonesOnTheAxisOfALinearArray()
    {
        const string json = """
            { "name": "bad", "sampleRate": 16000,
              "mics": [[0.45, 0.105, 1.15], [0.45, 0.035, 1.15], [0.45, -0.035, 1.15], [0.45, -0.105, 1.15]],
              "zones": { "left": [0.45, 0.6, 1.15], "far-left": [0.45, 0.9, 1.15], "front": [1.0, 0.0, 1.0] } }
            """;
        var warnings = new ArrayGeometry(CabinProfileReader.Parse(json, "bad.json")).Check(3500);
        Assert.Contains(warnings, w => w.Contains("zone left lies 0° from the axis", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("zone left and zone far-left", StringComparison.Ordinal) && w.Contains("cannot be told apart", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("front", StringComparison.Ordinal));
    }

    [Fact]
    public void GeometryCheckWarnsAboutATinyAperture()
    {
        const string json = """
            { "name": "tiny", "sampleRate": 16000,
              "mics": [[0.45, 0.005, 1.15], [0.45, -0.005, 1.15]],
              "zones": { "driver": [0.2, 0.37, 0.78] } }
            """;
        var warnings = new ArrayGeometry(CabinProfileReader.Parse(json, "tiny.json")).Check(3500);
        Assert.Contains(warnings, w => w.Contains("aperture 0.01 m is below a quarter wavelength", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sedan-console-circular")]
    [InlineData("sedan-headliner-linear")]
    public void ShippedCabinsPassTheGeometryCheckForTheirSeats(string cabin)
    {
        var warnings = new ArrayGeometry(CabinProfileReader.Load(TestPaths.Cabin(cabin))).Check(3500);
        Assert.DoesNotContain(warnings, w => w.StartsWith("zone", StringComparison.Ordinal) && !w.Contains("loudspeaker", StringComparison.Ordinal));
    }
}
