using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Emotion.Bench;

/// <summary>
/// The pipeline's emotion stage (<see cref="EmotionStage"/>, as <c>CabinPipeline</c> runs it) for one
/// second of 16 kHz audio with all four zones talking (the worst case; the zone tracker reports at
/// most two talkers at once), hop by hop (10 ms): prosody, fusion, emotion events and the escalation
/// policy. Mean time per operation in seconds is the fraction of one core the stage needs for four
/// zones (the target is ≤ 2 %, i.e. ≤ 20 ms).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ProsodyBenchmarks
{
    private const int Zones = 4;
    private const int Hop = 160;
    private readonly string[] _names = ["driver", "front-passenger", "rear-left", "rear-right"];
    private readonly NullSink _sink = new();
    private EmotionStage _stage = null!;
    private float[][] _audio = null!;
    private double _time;

    [GlobalSetup]
    public void Setup()
    {
        // A voiced, pitch-gliding, syllable-modulated signal: the tracker does its full search every hop.
        var rng = new Random(1);
        _audio = new float[Zones][];
        for (var z = 0; z < Zones; z++)
        {
            var x = new float[16000];
            double phase = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var f0 = 110 + 30 * z + 20 * Math.Sin(2 * Math.PI * 0.7 * i / 16000);
                phase += 2 * Math.PI * f0 / 16000;
                var envelope = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 4 * i / 16000);
                double s = 0;
                for (var h = 1; h <= 10; h++) s += Math.Sin(h * phase) / h;
                x[i] = (float)(0.1 * envelope * s + 0.001 * (rng.NextDouble() - 0.5));
            }
            _audio[z] = x;
        }
        _stage = new EmotionStage(_names);
        // Learn the baselines first so the steady state is measured.
        for (var k = 0; k < 8; k++) FourZonesOneSecond();
    }

    [Benchmark]
    public int FourZonesOneSecond()
    {
        for (var i = 0; i + Hop <= 16000; i += Hop)
        {
            _time += 0.01;
            for (var z = 0; z < Zones; z++) _stage.ProcessZone(z, _audio[z].AsSpan(i, Hop), talking: true, _time, _sink);
        }
        return _sink.Count;
    }

    private sealed class NullSink : IEventSink
    {
        public int Count { get; private set; }

        public void Publish(CabinEvent e) => Count++;
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15));
    }
}
