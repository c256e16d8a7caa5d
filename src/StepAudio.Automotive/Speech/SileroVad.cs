using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// Silero VAD v5 on one zone's 16 kHz stream: one speech probability per 512-sample (32 ms) chunk.
/// The recurrent state is carried from chunk to chunk and, like the reference wrapper, the last 64
/// samples of the previous chunk are prepended (the model sees 576). <see cref="IsSpeech"/> adds
/// hysteresis and a hangover so the gate does not flicker between words.
/// </summary>
public sealed class SileroVad : IDisposable
{
    public const int SampleRate = 16000;
    public const int ChunkSamples = 512;
    public const int ContextSamples = 64;

    private readonly OnnxModel _model;

    /// <summary>The ONNX Runtime session behind this stage (file, execution provider), for status.</summary>
    public OnnxModel Model => _model;
    private readonly OnnxTensor _input;
    private readonly OnnxTensor _state;
    private readonly OnnxTensor _stateOut;
    private readonly OnnxTensor _probability;
    private int _quietChunks;

    /// <summary>The tensor shapes this stage runs the model with (one stream, 576 samples).</summary>
    public static IReadOnlyDictionary<string, long[]> Shapes { get; } = new Dictionary<string, long[]>
    {
        ["input"] = [1, ContextSamples + ChunkSamples],
        ["state"] = [2, 1, 128],
        ["sr"] = [],
        ["output"] = [1, 1],
        ["stateN"] = [2, 1, 128],
    };

    public SileroVad(string modelPath, InferenceOptions options, ILogger? logger = null)
    {
        _model = new OnnxModel(modelPath, options, Shapes, logger);
        _input = _model.Input("input");
        _state = _model.Input("state");
        _stateOut = _model.Output("stateN");
        _probability = _model.Output("output");
        PrepareInputs(_model);
        _model.WarmUp();
        Reset();
    }

    /// <summary>Sets the constant input (the sample rate) so the model can run, e.g. to warm up.</summary>
    public static void PrepareInputs(OnnxModel model) => model.Input("sr").Int64s[0] = SampleRate;

    /// <summary>Probability at or above which a quiet zone turns to speech.</summary>
    public float OnThreshold { get; init; } = 0.5f;

    /// <summary>Probability below which a speaking zone starts counting towards silence.</summary>
    public float OffThreshold { get; init; } = 0.35f;

    /// <summary>Chunks below <see cref="OffThreshold"/> before speech ends (10 ≈ 320 ms).</summary>
    public int HangoverChunks { get; init; } = 10;

    public float Probability { get; private set; }

    public bool IsSpeech { get; private set; }

    public string ExecutionProvider => _model.ExecutionProvider;

    /// <summary>Runs one chunk of 512 samples in [-1, 1]; returns the speech probability.</summary>
    public float Process(ReadOnlySpan<float> chunk)
    {
        if (chunk.Length != ChunkSamples)
            throw new ArgumentException($"Silero VAD takes {ChunkSamples}-sample chunks, got {chunk.Length}", nameof(chunk));
        var x = _input.Floats;
        // Context: the tail of the previous chunk moves to the front, the new chunk follows it.
        x.Slice(ChunkSamples, ContextSamples).CopyTo(x);
        chunk.CopyTo(x[ContextSamples..]);
        _model.Run();
        _stateOut.Floats.CopyTo(_state.Floats);
        var p = _probability.Floats[0];
        Probability = p;
        if (p >= OnThreshold)
        {
            IsSpeech = true;
            _quietChunks = 0;
        }
        else if (IsSpeech && p < OffThreshold && ++_quietChunks >= HangoverChunks)
        {
            IsSpeech = false;
        }
        return p;
    }

    public void Reset()
    {
        _input.Floats.Clear();
        _state.Floats.Clear();
        Probability = 0;
        IsSpeech = false;
        _quietChunks = 0;
    }

    public void Dispose() => _model.Dispose();
}
