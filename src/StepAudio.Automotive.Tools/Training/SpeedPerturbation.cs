namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Speed perturbation (Ko et al. 2015): the dry TTS speech resampled by a factor, so it is shorter
/// and higher (factor above 1) or longer and lower, formants included — a different vocal-tract
/// length, which TTS rate and pitch settings do not change. Applied to flite's training voices only
/// (the three voices closest to the held-out ones): each flite clip draws one factor and, unless it
/// is 1, is added again at that speed (the originals stay, as in Ko et al.), so each voice gives
/// three pseudo-speakers.
/// </summary>
public static class SpeedPerturbation
{
    /// <summary>Ko et al.'s factors; 1 keeps the clip (and its cached features) as it was.</summary>
    public static readonly double[] Factors = [0.9, 1.0, 1.1];

    /// <summary>Zero crossings of the interpolating sinc on each side: enough for speech at 16 kHz.</summary>
    private const int HalfWidth = 16;

    /// <summary>The perturbed copies of <paramref name="plans"/>: flite clips whose drawn factor is not 1, same labels, each in its original's split.</summary>
    public static List<ClipPlan> Copies(IReadOnlyList<ClipPlan> plans) =>
        plans.Select((p, i) => p with { Spec = Apply(p.Spec), SplitOf = p.SplitOf ?? i }).Where(p => p.Spec.Speed != 1).ToList();

    /// <summary>
    /// <paramref name="spec"/> with a speed factor when it is spoken by flite, drawn from its own
    /// generator (seeded by the clip's seed), so every other draw of the clip stays as it was.
    /// </summary>
    public static ClipSpec Apply(ClipSpec spec)
    {
        if (!spec.Voice.StartsWith("flite:", StringComparison.Ordinal) || spec.Texts.Count == 0) return spec;
        var rng = new Random(unchecked((spec.Seed * 31) + 13));
        return spec with { Speed = Factors[rng.Next(Factors.Length)] };
    }

    /// <summary>
    /// <paramref name="x"/> played <paramref name="factor"/> times faster: y[n] = x(n·factor), by
    /// Hann-windowed sinc interpolation, low-passed below the new Nyquist when speeding up (no aliasing).
    /// </summary>
    public static float[] Resample(float[] x, double factor)
    {
        if (factor == 1 || x.Length == 0) return x;
        if (!(factor is > 0.5 and < 2)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "must be in (0.5, 2)");
        var cutoff = Math.Min(1, 1 / factor);
        var reach = HalfWidth / cutoff;
        var y = new float[(int)((x.Length - 1) / factor) + 1];
        for (var n = 0; n < y.Length; n++)
        {
            var t = n * factor;
            var from = Math.Max(0, (int)Math.Ceiling(t - reach));
            var to = Math.Min(x.Length - 1, (int)Math.Floor(t + reach));
            double acc = 0;
            for (var k = from; k <= to; k++)
            {
                var d = t - k;
                var window = 0.5 + (0.5 * Math.Cos(Math.PI * d / reach));
                acc += x[k] * cutoff * Sinc(cutoff * d) * window;
            }
            y[n] = (float)acc;
        }
        return y;
    }

    private static double Sinc(double v) => Math.Abs(v) < 1e-12 ? 1 : Math.Sin(Math.PI * v) / (Math.PI * v);
}
