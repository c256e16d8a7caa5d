using StepAudio.Automotive.Audio;

namespace StepAudio.Automotive.Tests.Audio;

public class PolyphaseResamplerTests
{
    private static float[] Resample(float[] x, int from, int to, int block)
    {
        var r = new PolyphaseResampler(from, to, 1);
        var output = new List<float>();
        var buf = new float[r.MaxOutputFrames(block)];
        for (var i = 0; i < x.Length; i += block)
        {
            var n = r.Process(x.AsSpan(i, Math.Min(block, x.Length - i)), buf);
            output.AddRange(buf[..n]);
        }
        int m;
        while ((m = r.Process([], buf, endOfStream: true)) > 0) output.AddRange(buf[..m]);
        Assert.Equal(r.OutputLength(x.Length), output.Count);
        return [.. output];
    }

    /// <summary>Least-squares amplitude of a sinusoid of known frequency.</summary>
    private static double Amplitude(ReadOnlySpan<float> y, double freq, int rate)
    {
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var w = 2 * Math.PI * freq * i / rate;
            double s = Math.Sin(w), c = Math.Cos(w);
            ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
        }
        var det = (ss * cc) - (sc * sc);
        var a = ((ys * cc) - (yc * sc)) / det;
        var b = ((yc * ss) - (ys * sc)) / det;
        return Math.Sqrt((a * a) + (b * b));
    }

    /// <summary>Frequency from interpolated upward zero crossings.</summary>
    private static double Frequency(ReadOnlySpan<float> y, int rate)
    {
        double first = -1, last = -1;
        var count = 0;
        for (var i = 1; i < y.Length; i++)
        {
            if (y[i - 1] < 0 && y[i] >= 0)
            {
                var t = i - 1 + (y[i - 1] / (y[i - 1] - y[i]));
                if (first < 0) first = t; else count++;
                last = t;
            }
        }
        return count * rate / (last - first);
    }

    [Theory]
    [InlineData(44100, 16000, 1000.0)]
    [InlineData(48000, 16000, 3000.0)]
    [InlineData(22050, 16000, 440.0)]
    [InlineData(8000, 16000, 1500.0)]
    public void SineKeepsFrequencyAndAmplitude(int from, int to, double freq)
    {
        const double amp = 0.5;
        var x = new float[from * 2];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(amp * Math.Sin(2 * Math.PI * freq * i / from));
        var y = Resample(x, from, to, 1000);
        var middle = y.AsSpan(to / 4, to);  // clear of the edges
        var gainDb = 20 * Math.Log10(Amplitude(middle, freq, to) / amp);
        Assert.InRange(gainDb, -0.1, 0.1);
        Assert.InRange(Frequency(middle, to), freq * 0.9999, freq * 1.0001);
    }

    [Fact]
    public void AboveTheNewNyquistIsSuppressed()
    {
        var x = new float[48000];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 11000 * i / 48000.0));
        var y = Resample(x, 48000, 16000, 4096);
        // 11 kHz would alias to 5 kHz at 16 kHz: it must be gone (> 60 dB down).
        Assert.True(Amplitude(y.AsSpan(4000, 8000), 5000, 16000) < 0.5e-3);
    }

    [Fact]
    public void OutputIsAlignedInTime()
    {
        // A click at 0.5 s must come out at 0.5 s: the filter delay is compensated.
        var x = new float[44100];
        x[22050] = 1;
        var y = Resample(x, 44100, 16000, 512);
        var peak = Array.IndexOf(y, y.Max());
        Assert.InRange(peak, 7999, 8001);
    }

    [Fact]
    public void BlockSizeDoesNotChangeTheOutput()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 20000).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        Assert.Equal(Resample(x, 44100, 16000, 64), Resample(x, 44100, 16000, 4410));
    }
}
