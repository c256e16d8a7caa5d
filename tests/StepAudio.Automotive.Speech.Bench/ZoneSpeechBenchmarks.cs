using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Speech.Bench;

/// <summary>
/// One second of 16 kHz audio through one zone's speech stage, in 256-sample blocks as ALSA
/// delivers them. Mean time per operation is the real-time factor in seconds per second of audio.
/// Models come from the same cache as the CLI (run <c>stepaudio models fetch</c> first).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup]; its benchmark classes cannot be sealed")]
public class ZoneSpeechBenchmarks
{
    private const int Rate = 16000;
    private const int Block = 256;

    private ZoneSpeech _zone = null!;
    private SileroVad _vad = null!;
    private MelSpectrogram _mel = null!;
    private SpeechEmbedder _embedder = null!;
    private WakeWordDetector _head = null!;
    private float[] _speech = null!;
    private float[] _noise = null!;
    private readonly float[] _frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
    private int _speechAt;
    private long _step;

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15));
    }

    [GlobalSetup]
    public void Setup()
    {
        var store = ModelStore.Default();
        var options = new InferenceOptions();
        var models = SpeechModelPaths.From(store);
        var head = (store.Require("hey_jarvis_v0.1"), new WakeWordOptions());
        _zone = new ZoneSpeech("driver", models, [head], options);
        _vad = new SileroVad(models.Vad, options);
        _mel = new MelSpectrogram(models.Melspectrogram, options);
        _embedder = new SpeechEmbedder(models.Embedding, options);
        _head = new WakeWordDetector(head.Item1, _embedder, head.Item2, options);
        // Past the head's settling steps, so it really runs.
        for (var k = 0; k < 8; k++) _embedder.Step(_frames);
        _speech = Espeak("set the temperature to twenty two degrees and then play some music on the radio please, hey jarvis");
        var rng = new Random(1);
        _noise = new float[Rate];
        for (var i = 0; i < _noise.Length; i++) _noise[i] = (float)(0.003 * ((2 * rng.NextDouble()) - 1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _zone.Dispose();
        _vad.Dispose();
        _mel.Dispose();
        _embedder.Dispose();
        _head.Dispose();
    }

    /// <summary>Someone is talking: VAD, mel, embedding and the head all run.</summary>
    [Benchmark(Baseline = true)]
    public long ZoneSpeaking()
    {
        for (var n = 0; n < Rate; n += Block)
        {
            var len = Math.Min(Block, Rate - n);
            if (_speechAt + len > _speech.Length) _speechAt = 0;
            _zone.Process(_speech.AsSpan(_speechAt, len));
            _speechAt += len;
        }
        return _zone.Steps;
    }

    /// <summary>Nobody talks: VAD and mel only, the gate keeps the embedding and heads off.</summary>
    [Benchmark]
    public long ZoneQuiet()
    {
        for (var n = 0; n < Rate; n += Block) _zone.Process(_noise.AsSpan(n, Math.Min(Block, Rate - n)));
        return _zone.Steps;
    }

    [Benchmark]
    public float VadOnly()
    {
        var p = 0f;
        for (var n = 0; n + SileroVad.ChunkSamples <= Rate; n += SileroVad.ChunkSamples)
            p += _vad.Process(_speech.AsSpan(n, SileroVad.ChunkSamples));
        return p;
    }

    [Benchmark]
    public float MelOnly()
    {
        for (var n = 0; n + MelSpectrogram.StepSamples <= Rate; n += MelSpectrogram.StepSamples)
            _mel.Step(_speech.AsSpan(n, MelSpectrogram.StepSamples), _frames);
        return _frames[0];
    }

    /// <summary>One second's 12.5 embeddings (12 here, so read it as 0.96 s).</summary>
    [Benchmark]
    public long Embedding()
    {
        for (var k = 0; k < 12; k++) _embedder.Step(_frames);
        return _embedder.Count;
    }

    /// <summary>The keyword head on one second's 12 steps.</summary>
    [Benchmark]
    public float WakeWordHead()
    {
        for (var k = 0; k < 12; k++) _head.Step(_step++);
        return _head.Score;
    }

    internal static float[] Espeak(string text)
    {
        var wav = Path.Combine(Path.GetTempPath(), $"stepaudio-bench-{Environment.ProcessId}.wav");
        var psi = new ProcessStartInfo("espeak-ng") { RedirectStandardError = true };
        foreach (var a in new[] { "-v", "en-us", "-w", wav, text }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!) p.WaitForExit();
        using var source = new ResampledAudioSource(WavFileSource.Open(wav), Rate);
        var samples = new List<float>();
        var block = new float[4096];
        int read;
        while ((read = source.Read(block)) > 0) samples.AddRange(block.AsSpan(0, read));
        File.Delete(wav);
        return [.. samples];
    }
}
