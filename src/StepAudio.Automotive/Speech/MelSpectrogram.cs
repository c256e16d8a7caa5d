using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// openWakeWord's log-mel front end, streaming: each 80 ms step (1280 samples) runs the model on
/// that step plus the 480 samples before it, which yields exactly the 8 new 10 ms frames of 32 mel
/// bins (25 ms windows need the overlap). Frames are rescaled as openWakeWord does (x / 10 + 2).
/// </summary>
public sealed class MelSpectrogram : IDisposable
{
    public const int StepSamples = 1280;
    public const int OverlapSamples = 480;
    public const int FramesPerStep = 8;
    public const int Bins = 32;

    /// <summary>The model expects int16-scaled samples; the pipeline carries [-1, 1].</summary>
    private const float Int16Scale = 32768f;

    private readonly OnnxModel _model;

    /// <summary>The ONNX Runtime session behind this stage (file, execution provider), for status.</summary>
    public OnnxModel Model => _model;
    private readonly OnnxTensor _audio;
    private readonly OnnxTensor _frames;

    /// <summary>The tensor shapes this stage runs the model with (one 80 ms step plus overlap).</summary>
    public static IReadOnlyDictionary<string, long[]> Shapes { get; } = new Dictionary<string, long[]>
    {
        ["input"] = [1, OverlapSamples + StepSamples],
        ["output"] = [1, 1, FramesPerStep, Bins],
    };

    public MelSpectrogram(string modelPath, InferenceOptions options, ILogger? logger = null)
    {
        _model = new OnnxModel(modelPath, options, Shapes, logger);
        _audio = _model.Input("input");
        _frames = _model.Output("output");
        _model.WarmUp();
        Reset();
    }

    public string ExecutionProvider => _model.ExecutionProvider;

    /// <summary>
    /// Consumes one step of 1280 samples in [-1, 1] and writes its 8 × 32 rescaled mel frames
    /// (frame-major) to <paramref name="frames"/>.
    /// </summary>
    public void Step(ReadOnlySpan<float> samples, Span<float> frames)
    {
        if (samples.Length != StepSamples)
            throw new ArgumentException($"the mel front end takes {StepSamples}-sample steps, got {samples.Length}", nameof(samples));
        var x = _audio.Floats;
        x[StepSamples..].CopyTo(x);
        var fresh = x[OverlapSamples..];
        for (var i = 0; i < samples.Length; i++) fresh[i] = samples[i] * Int16Scale;
        _model.Run();
        var mel = _frames.Floats;
        for (var i = 0; i < mel.Length; i++) frames[i] = (mel[i] / 10f) + 2f;
    }

    public void Reset() => _audio.Floats.Clear();

    public void Dispose() => _model.Dispose();
}
