using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Quantization;

namespace StepAudio.Automotive.Speech.Bench;

/// <summary>
/// Each speech model FP32 against INT8, one call at a time on the CPU provider with one thread, as the
/// zone stage runs it: the embedding model (INT8 from <c>stepaudio models fetch</c>) and the
/// pretrained hey_jarvis head (INT8 quantized here, calibrated on the demo recording); plus one
/// second of a talking zone (VAD, mel, 12.5 embeddings, head).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup]; its benchmark classes cannot be sealed")]
public class PrecisionBenchmarks
{
    private OnnxModel _embedding = null!;
    private OnnxModel _head = null!;
    private ZoneSpeech _zone = null!;
    private float[] _speech = null!;
    private string? _headInt8;
    private int _speechAt;

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15));
    }

    [Params(ModelPrecision.Fp32, ModelPrecision.Int8)]
    public ModelPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = ModelStore.Default();
        var options = new InferenceOptions { Precision = Precision };
        var models = BenchModels.For(store, Precision);
        var head = store.Require("hey_jarvis_v0.1");
        if (Precision == ModelPrecision.Int8)
        {
            _headInt8 = Path.Combine(Path.GetTempPath(), $"stepaudio-bench-head-{Environment.ProcessId}.int8.onnx");
            SpeechModelQuantization.Quantize(head, [Repo.DemoWav], _headInt8, store);
            head = _headInt8;
        }
        _speech = ZoneSpeechBenchmarks.Espeak("set the temperature to twenty two degrees and then play some music on the radio please, hey jarvis");

        // Real inputs: a mel window and an embedding history from the speech above.
        using (var mel = new MelSpectrogram(models.Melspectrogram, options))
        using (var embedder = new SpeechEmbedder(models.Embedding, options))
        {
            var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
            var window = new float[SpeechEmbedder.WindowFrames * MelSpectrogram.Bins];
            for (var at = 0; at + MelSpectrogram.StepSamples <= 16 * MelSpectrogram.StepSamples; at += MelSpectrogram.StepSamples)
            {
                mel.Step(_speech.AsSpan(at, MelSpectrogram.StepSamples), frames);
                window.AsSpan(frames.Length).CopyTo(window);
                frames.CopyTo(window.AsSpan(window.Length - frames.Length));
                embedder.Step(frames);
            }
            _embedding = new OnnxModel(models.Embedding, options, SpeechEmbedder.Shapes);
            window.CopyTo(_embedding.Input("input_1").Floats);
            _head = new OnnxModel(head, options);
            embedder.Latest(16).CopyTo(_head.Inputs.Values.Single().Floats);
        }
        _embedding.WarmUp(20);
        _head.WarmUp(20);
        _zone = new ZoneSpeech("driver", models, [(head, new WakeWordOptions())], options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _embedding.Dispose();
        _head.Dispose();
        _zone.Dispose();
        if (_headInt8 is not null) File.Delete(_headInt8);
    }

    /// <summary>One embedding: 76 mel frames in, 96 values out.</summary>
    [Benchmark]
    public float EmbeddingCall()
    {
        _embedding.Run();
        return _embedding.Output("conv2d_19").Floats[0];
    }

    /// <summary>One score of the hey_jarvis head over 16 embeddings.</summary>
    [Benchmark]
    public float HeadCall()
    {
        _head.Run();
        return _head.Outputs.Values.First().Floats[0];
    }

    /// <summary>One second of a zone where someone talks: VAD, mel, embedding and head all run.</summary>
    [Benchmark]
    public long ZoneSpeakingSecond()
    {
        const int rate = 16000, block = 256;
        for (var n = 0; n < rate; n += block)
        {
            if (_speechAt + block > _speech.Length) _speechAt = 0;
            _zone.Process(_speech.AsSpan(_speechAt, block));
            _speechAt += block;
        }
        return _zone.Steps;
    }
}
