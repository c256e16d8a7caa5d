using System.Numerics.Tensors;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Generalized cross-correlation with phase transform for one microphone pair, restricted to a
/// frequency band and evaluated only at the delays the array can produce, on a fine lag grid
/// (a fraction of a sample) so small arrays still resolve direction. The cosine/sine table per
/// lag and bin is precomputed; a correlation is then one dot product pair per lag.
/// </summary>
public sealed class GccPhat
{
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly float[] _cr;
    private readonly float[] _ci;
    private readonly int _lagsEachSide;

    /// <param name="frameLength">FFT length of the spectra (bins 0..N/2 are given).</param>
    /// <param name="maxDelaySeconds">Largest |delay| to evaluate (the pair's spacing over c).</param>
    /// <param name="lagStepSamples">Spacing of the lag grid in samples.</param>
    public GccPhat(int frameLength, int sampleRate, double lowHz, double highHz, double maxDelaySeconds, double lagStepSamples = 0.25)
    {
        if (lowHz < 0 || highHz <= lowHz || highHz > sampleRate / 2.0)
            throw new ArgumentOutOfRangeException(nameof(highHz), $"band {lowHz}–{highHz} Hz must lie inside 0–{sampleRate / 2} Hz");
        FirstBin = Math.Max(1, (int)Math.Ceiling(lowHz * frameLength / sampleRate));
        var last = Math.Min(frameLength / 2 - 1, (int)Math.Floor(highHz * frameLength / sampleRate));
        BinCount = last - FirstBin + 1;
        LagStepSeconds = lagStepSamples / sampleRate;
        // One extra step each side so interpolation at the extreme delay stays inside the grid.
        _lagsEachSide = (int)Math.Ceiling(maxDelaySeconds / LagStepSeconds) + 1;
        LagCount = (2 * _lagsEachSide) + 1;
        _cos = new float[LagCount * BinCount];
        _sin = new float[LagCount * BinCount];
        for (var l = 0; l < LagCount; l++)
        {
            var tau = (l - _lagsEachSide) * LagStepSeconds;
            for (var k = 0; k < BinCount; k++)
            {
                var w = 2 * Math.PI * (FirstBin + k) * sampleRate / frameLength;
                _cos[(l * BinCount) + k] = (float)Math.Cos(w * tau);
                _sin[(l * BinCount) + k] = (float)Math.Sin(w * tau);
            }
        }
        _cr = new float[BinCount];
        _ci = new float[BinCount];
    }

    public int FirstBin { get; }

    public int BinCount { get; }

    public int LagCount { get; }

    public double LagStepSeconds { get; }

    /// <summary>Largest delay on the grid, seconds.</summary>
    public double MaxLagSeconds => _lagsEachSide * LagStepSeconds;

    /// <summary>
    /// Writes R(τ) = (1/K) Σ_k Re{ X_p X_q* / |X_p X_q*| · e^{jωτ} } for every lag of the grid:
    /// it peaks at τ = t_p − t_q, the arrival time at p minus that at q. Values lie in [−1, 1].
    /// </summary>
    /// <param name="binMask">Optional weight per full-spectrum bin (e.g. 1 where speech stands above the noise floor, 0 elsewhere).</param>
    public void Correlate(ReadOnlySpan<float> reP, ReadOnlySpan<float> imP, ReadOnlySpan<float> reQ, ReadOnlySpan<float> imQ, Span<float> r, ReadOnlySpan<float> binMask = default)
    {
        float weightSum = 0;
        for (var k = 0; k < BinCount; k++) weightSum += binMask.IsEmpty ? 1f : binMask[FirstBin + k];
        if (weightSum <= 0)
        {
            r[..LagCount].Clear();
            return;
        }
        for (var k = 0; k < BinCount; k++)
        {
            var b = FirstBin + k;
            var weight = binMask.IsEmpty ? 1f : binMask[b];
            var cr = (reP[b] * reQ[b]) + (imP[b] * imQ[b]);
            var ci = (imP[b] * reQ[b]) - (reP[b] * imQ[b]);
            var mag = MathF.Sqrt((cr * cr) + (ci * ci));
            var g = mag > 1e-20f ? weight / (mag * weightSum) : 0f;
            _cr[k] = cr * g;
            _ci[k] = ci * g;
        }
        for (var l = 0; l < LagCount; l++)
        {
            var cos = _cos.AsSpan(l * BinCount, BinCount);
            var sin = _sin.AsSpan(l * BinCount, BinCount);
            r[l] = TensorPrimitives.Dot(_cr, cos) - TensorPrimitives.Dot(_ci, sin);
        }
    }

    /// <summary>Fractional grid position of a delay, for <see cref="ValueAt(ReadOnlySpan{float}, float)"/>.</summary>
    public float LagPosition(double tauSeconds)
    {
        var pos = (tauSeconds / LagStepSeconds) + _lagsEachSide;
        return (float)Math.Clamp(pos, 0, LagCount - 1.0001);
    }

    /// <summary>Correlation at a fractional lag position, linearly interpolated.</summary>
    public static float ValueAt(ReadOnlySpan<float> r, float lagPosition)
    {
        var i = (int)lagPosition;
        var f = lagPosition - i;
        return r[i] + (f * (r[i + 1] - r[i]));
    }

    /// <summary>The delay t_p − t_q at the correlation's peak, refined by a parabola through its neighbours.</summary>
    public double Tdoa(ReadOnlySpan<float> r)
    {
        var best = 0;
        for (var l = 1; l < r.Length; l++)
            if (r[l] > r[best]) best = l;
        double offset = 0;
        if (best > 0 && best < r.Length - 1)
        {
            var den = r[best - 1] - (2 * r[best]) + r[best + 1];
            if (den < 0) offset = 0.5 * (r[best - 1] - r[best + 1]) / den;
        }
        return (best + offset - _lagsEachSide) * LagStepSeconds;
    }
}
