using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Tests.Spatial;

public class StftTests
{
    [Fact]
    public void FftMatchesDirectDft()
    {
        const int n = 64;
        var rng = new Random(1);
        var re = new float[n];
        var im = new float[n];
        for (var i = 0; i < n; i++)
        {
            re[i] = (float)rng.NextDouble() - 0.5f;
            im[i] = (float)rng.NextDouble() - 0.5f;
        }
        var (xr, xi) = ((float[])re.Clone(), (float[])im.Clone());
        new Fft(n).Forward(re, im);
        for (var k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (var t = 0; t < n; t++)
            {
                var a = -2 * Math.PI * k * t / n;
                sr += (xr[t] * Math.Cos(a)) - (xi[t] * Math.Sin(a));
                si += (xr[t] * Math.Sin(a)) + (xi[t] * Math.Cos(a));
            }
            Assert.Equal(sr, re[k], 3);
            Assert.Equal(si, im[k], 3);
        }
        var fft = new Fft(n);
        fft.Inverse(re, im);
        for (var i = 0; i < n; i++) Assert.Equal(xr[i], re[i], 4);
    }

    [Fact]
    public void RealTransformsMatchTheComplexOne()
    {
        const int n = 512;
        var rng = new Random(2);
        var x = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var fft = new Fft(n);
        var (cr, ci) = ((float[])x.Clone(), new float[n]);
        fft.Forward(cr, ci);
        var re = new float[(n / 2) + 1];
        var im = new float[(n / 2) + 1];
        fft.RealForward(x, re, im);
        for (var k = 0; k <= n / 2; k++)
        {
            Assert.Equal(cr[k], re[k], 1e-4);
            Assert.Equal(ci[k], im[k], 1e-4);
        }
        var back = new float[n];
        fft.RealInverse(re, im, back);
        for (var i = 0; i < n; i++) Assert.Equal(x[i], back[i], 1e-5);
    }

    [Theory]
    [InlineData(512, 160)]
    [InlineData(512, 128)]
    public void AnalysisThenSynthesisReconstructsTheInput(int frame, int hop)
    {
        var stft = new Stft(frame, hop);
        var analyzer = new StftAnalyzer(stft);
        var synthesizer = new StftSynthesizer(stft);
        var rng = new Random(7);
        var input = new float[hop * 200];
        for (var i = 0; i < input.Length; i++) input[i] = (float)((rng.NextDouble() * 2) - 1);
        var output = new float[input.Length];
        var re = new float[stft.Bins];
        var im = new float[stft.Bins];
        for (var h = 0; h < input.Length / hop; h++)
        {
            analyzer.Push(input.AsSpan(h * hop, hop), re, im);
            synthesizer.Pop(re, im, output.AsSpan(h * hop, hop));
        }
        // Once the first full frame has passed, every sample comes back, delayed by the latency.
        double err = 0, sig = 0;
        for (var i = frame; i < input.Length - stft.Latency; i++)
        {
            var d = output[i + stft.Latency] - input[i];
            err += d * d;
            sig += input[i] * input[i];
        }
        var snrDb = 10 * Math.Log10(sig / err);
        Assert.True(snrDb > 90, $"reconstruction SNR {snrDb:0.0} dB");
    }

    [Fact]
    public void SteadySineLandsInItsBin()
    {
        var stft = new Stft();
        var analyzer = new StftAnalyzer(stft);
        var re = new float[stft.Bins];
        var im = new float[stft.Bins];
        var hop = new float[stft.Hop];
        var bin = 40; // 1250 Hz at 16 kHz
        for (var h = 0; h < 10; h++)
        {
            for (var i = 0; i < hop.Length; i++) hop[i] = MathF.Sin(2 * MathF.PI * bin * ((h * stft.Hop) + i) / stft.FrameLength);
            analyzer.Push(hop, re, im);
        }
        var mag = Enumerable.Range(0, stft.Bins).Select(k => Math.Sqrt((re[k] * re[k]) + (im[k] * im[k]))).ToArray();
        Assert.Equal(bin, Array.IndexOf(mag, mag.Max()));
        Assert.Equal(stft.FrameLength / 4.0, mag[bin], 0); // Hann's coherent gain 0.5 × N/2
    }
}
