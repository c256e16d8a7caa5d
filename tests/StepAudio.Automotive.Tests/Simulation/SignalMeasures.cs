using MathNet.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace StepAudio.Automotive.Tests.Simulation;

/// <summary>
/// Measurements the simulator tests make on its output, written here independently of the simulator's
/// own code: band-limited peak position, GCC-PHAT delay, Schroeder decay time, coherence, band power.
/// </summary>
internal static class SignalMeasures
{
    /// <summary>
    /// Position (fractional samples) of the maximum of the band-limited signal that <paramref name="x"/>
    /// samples, searched to 0.001 sample around its largest sample.
    /// </summary>
    public static double BandLimitedPeak(float[] x)
    {
        var k = 0;
        for (var i = 1; i < x.Length; i++)
            if (x[i] > x[k]) k = i;
        double Value(double t)
        {
            double acc = 0;
            for (var i = Math.Max(0, k - 64); i < Math.Min(x.Length, k + 65); i++)
            {
                var d = t - i;
                acc += x[i] * (Math.Abs(d) < 1e-12 ? 1 : Math.Sin(Math.PI * d) / (Math.PI * d));
            }
            return acc;
        }
        double best = k, bestValue = double.MinValue;
        for (var t = k - 1.0; t <= k + 1.0; t += 0.001)
        {
            var v = Value(t);
            if (v > bestValue) (best, bestValue) = (t, v);
        }
        return best;
    }

    /// <summary>
    /// Delay of <paramref name="b"/> relative to <paramref name="a"/> in samples by GCC-PHAT, refined by
    /// 64x zero-padded interpolation of the cross-correlation.
    /// </summary>
    public static double GccPhatDelay(float[] a, float[] b, int maxLag = 32)
    {
        var n = 1;
        while (n < a.Length + b.Length) n <<= 1;
        var fa = new Complex32[n];
        var fb = new Complex32[n];
        for (var i = 0; i < a.Length; i++) fa[i] = new Complex32(a[i], 0);
        for (var i = 0; i < b.Length; i++) fb[i] = new Complex32(b[i], 0);
        Fourier.Forward(fa, FourierOptions.Matlab);
        Fourier.Forward(fb, FourierOptions.Matlab);
        const int up = 64;
        var big = new Complex32[n * up];
        for (var i = 0; i < n; i++)
        {
            var c = fb[i] * fa[i].Conjugate();
            var mag = c.Magnitude;
            c = mag > 1e-20f ? c / mag : Complex32.Zero;
            // Place the spectrum in the middle-padded buffer: positive frequencies low, negative high.
            if (i < n / 2) big[i] = c;
            else if (i > n / 2) big[(n * up) - (n - i)] = c;
        }
        Fourier.Inverse(big, FourierOptions.Matlab);
        var bestLag = 0.0;
        var best = float.MinValue;
        for (var lag = -maxLag * up; lag <= maxLag * up; lag++)
        {
            var v = big[lag >= 0 ? lag : (n * up) + lag].Real;
            if (v > best) (best, bestLag) = (v, lag);
        }
        return bestLag / up;
    }

    /// <summary>RT60 from an impulse response: Schroeder backward integration, line fit from -5 dB to <paramref name="toDb"/>, extrapolated to -60 dB.</summary>
    public static double SchroederRt60(float[] ir, int sampleRate, double toDb = -25)
    {
        var edc = new double[ir.Length];
        double acc = 0;
        for (var i = ir.Length - 1; i >= 0; i--)
        {
            acc += ir[i] * (double)ir[i];
            edc[i] = acc;
        }
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < ir.Length; i++)
        {
            var db = 10 * Math.Log10(edc[i] / acc);
            if (db <= -5 && db >= toDb)
            {
                xs.Add((double)i / sampleRate);
                ys.Add(db);
            }
        }
        var (_, slope) = Fit.Line(xs.ToArray(), ys.ToArray());
        return -60 / slope;
    }

    /// <summary>Welch estimate of the magnitude-squared coherence of two signals, mean over [lowHz, highHz].</summary>
    public static double MeanCoherence(float[] a, float[] b, int sampleRate, double lowHz, double highHz, int fft = 512)
    {
        var sab = new Complex32[fft];
        var saa = new double[fft];
        var sbb = new double[fft];
        var window = Window.Hann(fft);
        var fa = new Complex32[fft];
        var fb = new Complex32[fft];
        for (var start = 0; start + fft <= a.Length; start += fft / 2)
        {
            for (var i = 0; i < fft; i++)
            {
                fa[i] = new Complex32((float)(a[start + i] * window[i]), 0);
                fb[i] = new Complex32((float)(b[start + i] * window[i]), 0);
            }
            Fourier.Forward(fa, FourierOptions.Matlab);
            Fourier.Forward(fb, FourierOptions.Matlab);
            for (var i = 0; i < fft; i++)
            {
                sab[i] += fa[i] * fb[i].Conjugate();
                saa[i] += fa[i].MagnitudeSquared;
                sbb[i] += fb[i].MagnitudeSquared;
            }
        }
        double sum = 0;
        var count = 0;
        for (var i = (int)Math.Ceiling(lowHz * fft / sampleRate); i <= (int)Math.Floor(highHz * fft / sampleRate); i++)
        {
            sum += sab[i].MagnitudeSquared / (saa[i] * sbb[i]);
            count++;
        }
        return sum / count;
    }

    /// <summary>Power in a frequency band (arbitrary units, comparable between bands of the same signal).</summary>
    public static double BandPower(float[] x, int sampleRate, double lowHz, double highHz, int fft = 1024)
    {
        var window = Window.Hann(fft);
        var f = new Complex32[fft];
        double sum = 0;
        for (var start = 0; start + fft <= x.Length; start += fft / 2)
        {
            for (var i = 0; i < fft; i++) f[i] = new Complex32((float)(x[start + i] * window[i]), 0);
            Fourier.Forward(f, FourierOptions.Matlab);
            for (var i = (int)Math.Ceiling(lowHz * fft / sampleRate); i <= (int)Math.Floor(highHz * fft / sampleRate); i++) sum += f[i].MagnitudeSquared;
        }
        return sum;
    }

    public static double Power(ReadOnlySpan<float> x)
    {
        double acc = 0;
        foreach (var v in x) acc += v * (double)v;
        return acc / Math.Max(1, x.Length);
    }

    public static float[] WhiteNoise(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++) x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * 0.1);
        return x;
    }
}
