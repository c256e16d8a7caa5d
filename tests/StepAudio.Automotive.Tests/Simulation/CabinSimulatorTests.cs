using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tests.Simulation;

public class CabinSimulatorTests
{
    private const int Fs = 16000;

    /// <summary>Speech-like test signal without TTS: noise with a 4 Hz syllable envelope.</summary>
    private static float[] Babble(double seconds, int seed)
    {
        var x = SignalMeasures.WhiteNoise((int)(seconds * Fs), seed);
        for (var i = 0; i < x.Length; i++) x[i] *= (float)(0.55 + (0.45 * Math.Sin(2 * Math.PI * 4 * i / Fs)));
        return x;
    }

    private static CabinScene Scene(double snr, int seed = 5) => new()
    {
        Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin),
        DurationSeconds = 4,
        Seed = seed,
        Noise = new SceneNoise(snr),
        Events =
        [
            new SceneEvent { Kind = SceneSourceKind.Talker, Source = "driver", StartSeconds = 0.5, Signal = Babble(1.2, 1) },
            new SceneEvent { Kind = SceneSourceKind.Talker, Source = "rear-left", StartSeconds = 2.0, Signal = Babble(1.0, 2), GainDb = -3 },
            new SceneEvent { Kind = SceneSourceKind.Loudspeaker, Source = "front-right-door", StartSeconds = 1.0, Signal = Babble(2.0, 3), GainDb = -10 },
        ],
    };

    [Theory]
    [InlineData(0.0)]
    [InlineData(15.0)]
    public void NoiseIsMixedAtTheRequestedSnr(double snr)
    {
        var render = new CabinSimulator().Render(Scene(snr));
        var talkers = render.Utterances.Where(u => u.Kind == SceneSourceKind.Talker).ToList();
        double speech = 0, noise = 0;
        for (var m = 0; m < render.Channels; m++)
        {
            var sum = new float[render.Frames];
            var active = new bool[render.Frames];
            foreach (var u in talkers)
            {
                for (var i = 0; i < u.Image[m].Length; i++) sum[u.StartSample + i] += u.Image[m][i];
                for (var t = (int)(u.StartSeconds * Fs); t < (int)(u.EndSeconds * Fs); t++) active[t] = true;
            }
            var idx = Enumerable.Range(0, render.Frames).Where(t => active[t]).ToArray();
            speech += idx.Sum(t => sum[t] * (double)sum[t]) / idx.Length;
            noise += SignalMeasures.Power(render.Noise[m]);
        }
        Assert.InRange(10 * Math.Log10(speech / noise), snr - 0.5, snr + 0.5);
    }

    [Fact]
    public void MixIsTheSumOfItsPartsAndRendersIdenticallyTwice()
    {
        var a = new CabinSimulator().Render(Scene(10));
        var b = new CabinSimulator().Render(Scene(10));
        Assert.Equal(a.Interleaved(), b.Interleaved());
        for (var m = 0; m < a.Channels; m++)
        {
            var sum = (float[])a.Noise[m].Clone();
            foreach (var u in a.Utterances)
                for (var i = 0; i < u.Image[m].Length; i++) sum[u.StartSample + i] += u.Image[m][i];
            for (var t = 0; t < sum.Length; t++) Assert.True(Math.Abs(sum[t] - a.Mix[m][t]) < 1e-6);
        }
        var simulator = new CabinSimulator();
        var other = simulator.Render(Scene(10, seed: 6));
        // A simulator keeps its rooms' impulse responses: rendering again must not change a sample.
        Assert.Equal(other.Interleaved(), simulator.Render(Scene(10, seed: 6)).Interleaved());
        Assert.NotEqual(a.Noise[0], other.Noise[0]);
    }

    [Fact]
    public void TheDirectPathReferenceLinesUpWithTheReverberantImage()
    {
        var render = new CabinSimulator().Render(Scene(20));
        var u = render.Utterances[0];
        var reference = CabinSimulator.RenderSource(render.Room, u.Dry, u.Position, render.Scene.Cabin.Mics, maxOrder: 0);
        // Same delay: the image's cross-correlation with its direct-path reference peaks at lag 0.
        var lag = SignalMeasures.GccPhatDelay(reference[1], u.Image[1]);
        Assert.InRange(lag, -0.25, 0.25);
        // The reverberant image carries more energy than its direct path (reflections add).
        Assert.True(SignalMeasures.Power(u.Image[1]) > SignalMeasures.Power(reference[1]));
    }

    [Fact]
    public void DiffuseNoiseIsIncoherentAtHighFrequencyAndLowFrequencyHeavy()
    {
        var cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var room = new ImageSourceRoom(cabin.Interior!);
        var noise = DiffuseNoiseField.Render(room, cabin.Interior!.Min, cabin.Interior.Max, cabin.Mics, 4 * Fs, DiffuseNoiseField.DefaultSources, seed: 9);
        // Mics 0 and 2 are 9 cm apart: a diffuse field's coherence sinc(2πfd/c) is near zero above 2 kHz
        // and near one at low frequency, where the wavelength dwarfs the array.
        var high = SignalMeasures.MeanCoherence(noise[0], noise[2], Fs, 3000, 7500);
        var low = SignalMeasures.MeanCoherence(noise[0], noise[2], Fs, 80, 250);
        Assert.True(high < 0.2, $"coherence 3-7.5 kHz {high:0.###}");
        Assert.True(low > 0.8, $"coherence 80-250 Hz {low:0.###}");
        // Road noise: far more energy per Hz at 100-400 Hz than at 2-4 kHz.
        var lowBand = SignalMeasures.BandPower(noise[0], Fs, 100, 400) / 300;
        var highBand = SignalMeasures.BandPower(noise[0], Fs, 2000, 4000) / 2000;
        Assert.True(10 * Math.Log10(lowBand / highBand) > 15);
    }

    [Fact]
    public void SilenceIsTheMicrophonesSelfNoiseAndIndependentBetweenThem()
    {
        var scene = new CabinScene
        {
            Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin),
            DurationSeconds = 2,
            SensorNoiseDbfs = -70,
        };
        var render = new CabinSimulator().Render(scene);
        foreach (var ch in render.Mix) Assert.Equal(-70, 10 * Math.Log10(SignalMeasures.Power(ch)), 1);
        Assert.True(SignalMeasures.MeanCoherence(render.Mix[0], render.Mix[1], Fs, 100, 7000) < 0.05);
        var quiet = new CabinSimulator().Render(new CabinScene { Cabin = scene.Cabin, DurationSeconds = 1, SensorNoiseDbfs = null });
        Assert.All(quiet.Mix, ch => Assert.All(ch, v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void AnSnrTheSelfNoiseAlreadyExceedsIsBadInput()
    {
        var scene = new CabinScene
        {
            Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin),
            DurationSeconds = 2,
            SensorNoiseDbfs = -40,
            Noise = new SceneNoise(40),
            Events = [new SceneEvent { Kind = SceneSourceKind.Talker, Source = "driver", Signal = Babble(1, 1) }],
        };
        var e = Assert.Throws<InvalidInputException>(() => new CabinSimulator().Render(scene));
        Assert.Equal("noise.snr", e.Source);
    }

    [Fact]
    public void TruthGivesEachUtterancesDirectionFromTheArrayCentre()
    {
        var render = new CabinSimulator().Render(Scene(20));
        var driver = render.Utterances[0];
        Assert.Equal("driver", driver.Source);
        Assert.Equal(0.5, driver.StartSeconds, 3);
        Assert.Equal(1.7, driver.EndSeconds, 2);
        // Driver sits left (+y) and behind (-x) the console array, below it.
        var rel = render.Scene.Cabin.Zones[0].Position - render.Scene.Cabin.ArrayCentre;
        Assert.Equal(Math.Atan2(rel.Y, rel.X) * 180 / Math.PI, driver.AzimuthDeg, 6);
        Assert.InRange(driver.AzimuthDeg, 90, 180);
        Assert.True(driver.ElevationDeg < 0);
        Assert.Equal(SceneSourceKind.Loudspeaker, render.Utterances[2].Kind);
        Assert.Equal(render.Scene.Cabin.Loudspeakers[1].Position, render.Utterances[2].Position);
    }
}
