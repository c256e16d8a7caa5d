using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Tests.Spatial;

/// <summary>
/// Free-field rendering for unit tests: each source reaches each microphone with its exact
/// fractional propagation delay (applied as a phase ramp on one long FFT) and 1/r attenuation.
/// </summary>
internal static class SyntheticArray
{
    public static float[] WhiteNoise(int length, int seed, double rms = 0.05)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (var i = 0; i < length; i++)
        {
            // Box-Muller, deterministic with the seed.
            var u1 = 1 - rng.NextDouble();
            var u2 = rng.NextDouble();
            x[i] = (float)(rms * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return x;
    }

    /// <summary>Planar microphone signals [mic][sample] of the given sources plus white sensor noise.</summary>
    public static float[][] Render(CabinProfile profile, IReadOnlyList<(Point3 Position, float[] Signal)> sources, int length, double sensorNoiseRms = 0, int seed = 99)
    {
        var n = 1;
        while (n < length + 4096) n <<= 1;
        var fft = new Fft(n);
        var mics = profile.Mics;
        var output = new float[mics.Count][];
        for (var m = 0; m < mics.Count; m++) output[m] = sensorNoiseRms > 0 ? WhiteNoise(length, seed + m, sensorNoiseRms) : new float[length];
        var re = new float[n];
        var im = new float[n];
        var sr = new float[n];
        var si = new float[n];
        foreach (var (position, signal) in sources)
        {
            Array.Clear(sr);
            Array.Clear(si);
            signal.AsSpan(0, Math.Min(signal.Length, length)).CopyTo(sr);
            fft.Forward(sr, si);
            for (var m = 0; m < mics.Count; m++)
            {
                var r = position.DistanceTo(mics[m]);
                var delay = r / ArrayGeometry.SpeedOfSound * profile.SampleRate;
                var gain = 0.5 / r;
                for (var k = 0; k < n; k++)
                {
                    var f = k <= n / 2 ? k : k - n;
                    var phi = -2 * Math.PI * f * delay / n;
                    var (c, s) = (Math.Cos(phi), Math.Sin(phi));
                    re[k] = (float)(gain * ((sr[k] * c) - (si[k] * s)));
                    im[k] = (float)(gain * ((sr[k] * s) + (si[k] * c)));
                }
                fft.Inverse(re, im);
                for (var i = 0; i < length; i++) output[m][i] += re[i];
            }
        }
        return output;
    }

    /// <summary>Noise that is on only in [start, end) seconds, silent elsewhere.</summary>
    public static float[] Burst(int length, double start, double end, int seed, double rms = 0.05)
    {
        var x = WhiteNoise(length, seed, rms);
        for (var i = 0; i < length; i++)
        {
            var t = i / 16000.0;
            if (t < start || t >= end) x[i] = 0;
        }
        return x;
    }
}
