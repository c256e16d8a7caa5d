using BenchmarkDotNet.Attributes;
using MathNet.Numerics.IntegralTransforms;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Benchmarks;

/// <summary>
/// Why the spatial stage has its own FFT: one 512-point complex transform, MathNet.Numerics'
/// managed provider against the project's precomputed-twiddle radix-2.
/// </summary>
[MemoryDiagnoser]
public class FftBenchmarks
{
    private const int N = 512;
    private readonly MathNet.Numerics.Complex32[] _mathNet = new MathNet.Numerics.Complex32[N];
    private readonly float[] _re = new float[N];
    private readonly float[] _im = new float[N];
    private readonly Fft _fft = new(N);
    private readonly float[] _real = new float[N];
    private readonly float[] _bins = new float[(N / 2) + 1];
    private readonly float[] _binsIm = new float[(N / 2) + 1];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (var i = 0; i < N; i++)
        {
            _re[i] = (float)rng.NextDouble();
            _real[i] = _re[i];
            _mathNet[i] = new MathNet.Numerics.Complex32(_re[i], 0);
        }
    }

    [Benchmark(Baseline = true)]
    public void MathNetForward() => Fourier.Forward(_mathNet, FourierOptions.NoScaling);

    [Benchmark]
    public void SpatialFftForward() => _fft.Forward(_re, _im);

    /// <summary>What the STFT actually runs: 512 real samples to 257 bins.</summary>
    [Benchmark]
    public void SpatialFftRealForward() => _fft.RealForward(_real, _bins, _binsIm);
}
