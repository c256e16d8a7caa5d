using System.Numerics;
using System.Runtime.InteropServices;

namespace StepAudio.Automotive.Emotion;

/// <summary>
/// Streaming YIN pitch tracker on 16 kHz mono audio, one estimate per hop of 160 samples (10 ms).
/// Each estimate looks at the last <see cref="WindowSamples"/> + <see cref="MaxLag"/> samples, so it
/// describes the audio roughly 20 ms behind the newest hop. Nothing is allocated per hop.
/// </summary>
public sealed class PitchTracker
{
    public const int SampleRate = 16_000;
    public const int Hop = 160;
    public const double MinHz = 60;
    public const double MaxHz = 500;

    /// <summary>YIN's absolute threshold on the cumulative-mean-normalised difference.</summary>
    private const float YinThreshold = 0.15f;

    /// <summary>A dip this shallow (aperiodicity) is still called voiced when no dip crosses the threshold.</summary>
    private const float VoicingLimit = 0.3f;

    private readonly float[] _history;
    private readonly float[] _diff;
    private readonly float _energyFloor;

    /// <param name="energyFloorDb">Frames quieter than this (dBFS RMS) are unvoiced without analysis.</param>
    public PitchTracker(double energyFloorDb = -60)
    {
        _history = new float[WindowSamples + MaxLag + 1];
        _diff = new float[MaxLag + 2];
        _energyFloor = (float)Math.Pow(10, energyFloorDb / 10);
    }

    /// <summary>Integration window of the difference function: 25 ms covers 1.5 periods at 60 Hz.</summary>
    public static int WindowSamples => 400;

    public static int MinLag => (int)(SampleRate / MaxHz);

    public static int MaxLag => (int)Math.Ceiling(SampleRate / MinHz);

    /// <summary>Pitch of the last hop in Hz, 0 when unvoiced.</summary>
    public double Frequency { get; private set; }

    /// <summary>1 − the YIN dip at the chosen lag: near 1 for a clean periodic signal, near 0 for noise.</summary>
    public double Periodicity { get; private set; }

    public bool Voiced => Frequency > 0;

    /// <summary>Feeds one hop of exactly <see cref="Hop"/> samples and updates <see cref="Frequency"/>.</summary>
    public void Process(ReadOnlySpan<float> hop)
    {
        if (hop.Length != Hop) throw new ArgumentException($"a hop is {Hop} samples, got {hop.Length}", nameof(hop));
        var h = _history.AsSpan();
        h[Hop..].CopyTo(h);
        hop.CopyTo(h[^Hop..]);
        Estimate(h);
    }

    public void Reset()
    {
        Array.Clear(_history);
        Frequency = 0;
        Periodicity = 0;
    }

    private void Estimate(ReadOnlySpan<float> x)
    {
        var w = WindowSamples;
        var frame = x[..w];
        var energy = Dot(frame, frame) / w;
        if (energy < _energyFloor)
        {
            Frequency = 0;
            Periodicity = 0;
            return;
        }

        // Difference function d(tau) and its cumulative-mean normalisation d'(tau) (de Cheveigné & Kawahara 2002),
        // computed only up to the first dip under the threshold: the longer lags are not needed then.
        var d = _diff.AsSpan();
        d[0] = 1;
        var running = 0f;
        var computed = 0;
        var best = -1;
        for (var tau = 1; tau <= MaxLag; tau++)
        {
            var v = SquaredDistance(frame, x.Slice(tau, w));
            running += v;
            d[tau] = running > 0 ? v * tau / running : 1;
            computed = tau;
            if (best < 0 && tau > MinLag && d[tau - 1] < YinThreshold) best = tau - 1;
            // Descend to the bottom of the dip, one lag past it for the interpolation.
            if (best >= 0)
            {
                if (d[tau] < d[best]) best = tau;
                else break;
            }
        }
        if (best >= 0 && best >= computed) best = -1; // the dip runs into MaxLag: no right neighbour
        if (best < 0)
        {
            // No dip under the threshold: take the global minimum if it is still clearly periodic.
            best = MinLag;
            for (var tau = MinLag + 1; tau < MaxLag; tau++)
                if (d[tau] < d[best]) best = tau;
            if (d[best] >= VoicingLimit || best == MinLag)
            {
                Frequency = 0;
                Periodicity = Math.Max(0, 1 - d[best]);
                return;
            }
        }

        // Parabolic interpolation around the dip for sub-sample lag.
        double a = d[best - 1], b = d[best], c = d[best + 1];
        var denom = a - 2 * b + c;
        var shift = denom > 1e-12 ? 0.5 * (a - c) / denom : 0;
        var lag = best + Math.Clamp(shift, -1, 1);
        Periodicity = Math.Clamp(1 - b, 0, 1);
        Frequency = SampleRate / lag;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (var i = 0; i < va.Length; i++) sum += va[i] * vb[i];
        var total = Vector.Sum(sum);
        for (var i = va.Length * Vector<float>.Count; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    private static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var n = Vector<float>.Count;
        var i = 0;
        for (; i <= a.Length - n; i += n)
        {
            var diff = new Vector<float>(a[i..]) - new Vector<float>(b[i..]);
            sum += diff * diff;
        }
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            var diff = a[i] - b[i];
            total += diff * diff;
        }
        return total;
    }
}
