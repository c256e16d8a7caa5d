using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Training;

namespace StepAudio.Automotive.Tests.Training;

/// <summary>Speed perturbation of the training clips: the resampler and which clips it touches (plans only, nothing rendered).</summary>
public class SpeedPerturbationTests
{
    private static readonly CommandGrammar Grammar = CommandGrammar.Load(Path.Combine(TestPaths.RepoRoot, "models", "grammar", "incar-en.yaml"));

    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    public void ResamplingScalesDurationAndFrequencyTogether(double factor)
    {
        const int fs = 16000;
        var x = Enumerable.Range(0, fs).Select(i => (float)Math.Sin(2 * Math.PI * 500 * i / fs)).ToArray();
        var y = SpeedPerturbation.Resample(x, factor);
        Assert.Equal((int)((fs - 1) / factor) + 1, y.Length);
        // 500 Hz becomes 500·factor Hz: the tone is at the new frequency, not the old one, at full amplitude.
        var inner = y.AsSpan(200, y.Length - 400).ToArray();
        Assert.InRange(Tone(inner, 500 * factor, fs), 0.95, 1.05);
        Assert.True(Tone(inner, 500, fs) < 0.05);
    }

    [Fact]
    public void SpeedingUpRemovesWhatWouldAlias()
    {
        // 7.9 kHz at 1.1× would be 8.69 kHz, above Nyquist: it must be filtered out, not folded to 7.31 kHz.
        const int fs = 16000;
        var x = Enumerable.Range(0, fs).Select(i => (float)Math.Sin(2 * Math.PI * 7900 * i / fs)).ToArray();
        var y = SpeedPerturbation.Resample(x, 1.1);
        Assert.True(Tone(y.AsSpan(200, y.Length - 400).ToArray(), 16000 - (7900 * 1.1), fs) < 0.05);
    }

    [Fact]
    public void OnlyFliteClipsArePerturbedAndTheRestKeepTheirKeys()
    {
        var plain = CommandCorpus.Training(Grammar, 6, 30, seed: 1, interfered: 2);
        var perturbed = CommandCorpus.Training(Grammar, 6, 30, seed: 1, interfered: 2, speedPerturb: true);
        Assert.Equal(plain.Count, perturbed.Count);
        var pairs = plain.Zip(perturbed).ToList();
        Assert.All(pairs.Where(p => !p.First.Spec.Voice.StartsWith("flite:", StringComparison.Ordinal)),
            p => Assert.Equal(p.First.Spec.Key, p.Second.Spec.Key));
        Assert.All(pairs.Where(p => p.Second.Spec.Speed == 1), p => Assert.Equal(p.First.Spec.Key, p.Second.Spec.Key));
        Assert.All(pairs, p => Assert.StartsWith(p.First.Spec.Key, p.Second.Spec.Key, StringComparison.Ordinal));
        Assert.All(pairs, p => Assert.Equal(p.First.Label, p.Second.Label));
        // Every factor is used, and the same seed draws the same ones.
        var flite = perturbed.Where(p => p.Spec.Voice.StartsWith("flite:", StringComparison.Ordinal) && p.Spec.Texts.Count > 0).ToList();
        Assert.Equal(SpeedPerturbation.Factors, flite.Select(p => p.Spec.Speed).Distinct().Order());
        Assert.Equal(perturbed.Select(p => p.Spec.Key), CommandCorpus.Training(Grammar, 6, 30, seed: 1, interfered: 2, speedPerturb: true).Select(p => p.Spec.Key));
    }

    /// <summary>Amplitude of the component at <paramref name="hz"/> (a single-bin DFT).</summary>
    private static double Tone(float[] x, double hz, int fs)
    {
        double re = 0, im = 0;
        for (var i = 0; i < x.Length; i++)
        {
            re += x[i] * Math.Cos(2 * Math.PI * hz * i / fs);
            im += x[i] * Math.Sin(2 * Math.PI * hz * i / fs);
        }
        return 2 * Math.Sqrt((re * re) + (im * im)) / x.Length;
    }
}
