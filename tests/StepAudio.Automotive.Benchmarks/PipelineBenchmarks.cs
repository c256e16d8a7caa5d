using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Benchmarks;

/// <summary>
/// The whole pipeline — microphone health, spatial front end (4 mics, 4 beams, localization every
/// frame) and the speech stage in <see cref="ListeningZones"/> zones (the others muted) — over one
/// second of a simulated cabin in which all four seats talk at once, the worst case for the VAD
/// gate. The reported time and allocation are per 10 ms hop: mean / 10 ms is the real-time factor.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class PipelineBenchmarks
{
    // In process: the models and the rendered cabin are set up once, and no boilerplate project is built.
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15));
    }

    private const int Hops = 100;

    private CabinPipeline _pipeline = null!;
    private float[] _audio = null!;
    private int _hopSamples;
    private int _position;

    [Params(1, 2, 4)]
    public int ListeningZones { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var profile = BenchInputs.Cabin("sedan-console-circular");
        string[] lines =
        [
            "hey jarvis set the temperature to twenty two degrees and then play some music please",
            "could you find the nearest charging station and take me home after that",
            "i think we should stop for lunch at the next exit if there is a restaurant",
            "turn the volume up a little and skip this song because i do not like it",
        ];
        var scene = new CabinScene
        {
            Cabin = profile,
            DurationSeconds = 10,
            Seed = 3,
            Noise = new SceneNoise(15),
            Events = [.. profile.Zones.Select((z, i) => new SceneEvent { Kind = SceneSourceKind.Talker, Source = z.Name, StartSeconds = 0.2, Text = lines[i % lines.Length] })],
        };
        var mix = new CabinSimulator().Render(scene).Mix;
        var frames = mix[0].Length;
        _audio = new float[frames * mix.Length];
        for (var i = 0; i < frames; i++)
            for (var c = 0; c < mix.Length; c++) _audio[(i * mix.Length) + c] = mix[c][i];
        _hopSamples = CabinPipeline.HopFrames * mix.Length;

        var store = ModelStore.Default();
        var speech = SpeechStage.Create(profile, store, WakeHead.Resolve([]), new InferenceOptions(), commands: new CommandOptions()); // the defaults: our own heads, INT8 embedding
        var listening = new ListeningControl(profile.Zones.Select(z => z.Name));
        for (var z = ListeningZones; z < profile.Zones.Count; z++) listening.SetMuted(profile.Zones[z].Name, true);
        _pipeline = new CabinPipeline(profile, new BenchInputs.NullSink()) { Listening = listening, Speech = speech };
        _pipeline.Start("bench");
        for (var i = 0; i < 3 * Hops; i++) Step(); // warm: JIT, caches, the VAD gate and the trackers settled
    }

    [Benchmark(OperationsPerInvoke = Hops)]
    public void Hop()
    {
        for (var i = 0; i < Hops; i++) Step();
    }

    private void Step()
    {
        if (_position + _hopSamples > _audio.Length) _position = 0;
        _pipeline.Process(_audio.AsSpan(_position, _hopSamples));
        _position += _hopSamples;
    }
}
