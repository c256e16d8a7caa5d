using BenchmarkDotNet.Attributes;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Benchmarks;

/// <summary>
/// The whole spatial front end for one 10 ms hop: 4 microphones, SRP-PHAT over the full grid every
/// frame, zone map and tracker, 4 MVDR (or delay-and-sum) zone beams resynthesised. One benchmark
/// operation is 100 hops (1 s of audio), so the mean time in seconds is the real-time factor.
/// </summary>
[MemoryDiagnoser]
public class SpatialFrontEndBenchmarks
{
    private const int Hops = 100;
    private const int Fs = 16000;
    private SpatialFrontEnd _front = null!;
    private float[][][] _hops = null!;
    private readonly bool[] _usable = [true, true, true, true];

    [Params(BeamformerKind.Mvdr, BeamformerKind.DelayAndSum)]
    public BeamformerKind Beamformer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var profile = BenchInputs.Cabin("sedan-console-circular");
        _front = new SpatialFrontEnd(profile, new BenchInputs.NullSink(), new SpatialOptions { Beamformer = Beamformer });
        // A talker-like signal (amplitude-modulated noise) with a small delay per microphone, so every stage does real work.
        var rng = new Random(1);
        _hops = new float[Hops][][];
        for (var h = 0; h < Hops; h++)
        {
            _hops[h] = new float[4][];
            for (var m = 0; m < 4; m++) _hops[h][m] = new float[160];
        }
        var previous = new float[4];
        for (var t = 0; t < Hops * 160; t++)
        {
            var s = (float)((rng.NextDouble() - 0.5) * (0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * t / Fs))));
            for (var m = 0; m < 4; m++)
            {
                _hops[t / 160][m][t % 160] = (0.1f * s) + (0.02f * previous[m]) + (float)((rng.NextDouble() - 0.5) * 0.002);
                previous[m] = s;
            }
        }
        // Warm up past every start-up branch (noise floor, covariance estimates, weights).
        for (var i = 0; i < 5; i++) Run();
    }

    [Benchmark]
    public void OneSecondOfAudio() => Run();

    private void Run()
    {
        for (var h = 0; h < Hops; h++) _front.Process(_hops[h], _usable);
    }
}
