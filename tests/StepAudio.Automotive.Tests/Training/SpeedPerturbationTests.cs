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
    public void FliteClipsAreAddedAgainPerturbedAndTheOriginalsStay()
    {
        var plain = CommandCorpus.Training(Grammar, 6, 30, seed: 1, interfered: 2);
        var perturbed = CommandCorpus.Training(Grammar, 6, 30, seed: 1, interfered: 2, speedPerturb: true);
        // The original clips come first, unchanged (their cached features stay valid).
        Assert.Equal(plain.Select(p => p.Spec.Key), perturbed.Take(plain.Count).Select(p => p.Spec.Key));
        var copies = perturbed.Skip(plain.Count).ToList();
        Assert.NotEmpty(copies);
        Assert.All(copies, p => Assert.StartsWith("flite:", p.Spec.Voice, StringComparison.Ordinal));
        Assert.All(copies, p => Assert.Contains(p.Spec.Speed, new[] { 0.9, 1.1 }));
        // Each copy is an original clip (same texts, voice, cabin seed, label) at another speed.
        var originals = plain.ToDictionary(p => p.Spec.Key);
        Assert.All(copies, p => Assert.Equal(p.Label, originals[(p.Spec with { Speed = 1 }).Key].Label));
        // ... and in its original's split: validation never hears a copy of a training clip.
        Assert.All(copies, p => Assert.Equal((p.Spec with { Speed = 1 }).Key, plain[p.SplitOf!.Value].Spec.Key));
        // About two thirds of the flite clips with speech are copied; the same seed draws the same copies.
        var flite = plain.Count(p => p.Spec.Voice.StartsWith("flite:", StringComparison.Ordinal) && p.Spec.Texts.Count > 0);
        Assert.InRange(copies.Count, flite / 2, flite * 5 / 6);
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
