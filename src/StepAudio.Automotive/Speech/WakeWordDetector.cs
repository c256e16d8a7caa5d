using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// One keyword head on a zone's embeddings: scores the last N embeddings (N from the head, 16 for
/// openWakeWord's) once per 80 ms step and fires when the score stays at or above the threshold for
/// <see cref="WakeWordOptions.Patience"/> consecutive steps; then it stays quiet for the refractory
/// period and until the score has dropped below the threshold, so one utterance fires once.
/// </summary>
public sealed class WakeWordDetector : IDisposable
{
    /// <summary>openWakeWord ignores the first steps after a reset: the window is not real audio yet.</summary>
    private const int SettleSteps = 5;

    private readonly OnnxModel _model;

    /// <summary>The ONNX Runtime session behind this stage (file, execution provider), for status.</summary>
    public OnnxModel Model => _model;
    private readonly OnnxTensor _input;
    private readonly OnnxTensor _score;
    private readonly SpeechEmbedder _embedder;
    private readonly int _refractorySteps;
    private int _above;
    private bool _armed = true;
    private long _quietUntilStep = long.MinValue;

    public WakeWordDetector(string headPath, SpeechEmbedder embedder, WakeWordOptions options, InferenceOptions inference, ILogger? logger = null)
    {
        Options = options;
        _embedder = embedder;
        _model = new OnnxModel(headPath, inference, logger: logger);
        try
        {
            if (_model.Inputs.Count != 1 || _model.Outputs.Count != 1)
                throw new InvalidInputException(headPath, "a wake-word head has one input [1, N, 96] and one output [1, 1]");
            _input = _model.Inputs.Values.First();
            _score = _model.Outputs.Values.First();
            if (_input.Shape.Count != 3 || _input.Shape[2] != SpeechEmbedder.Size || _score.Floats.Length != 1)
                throw new InvalidInputException(headPath, $"expected input [1, N, {SpeechEmbedder.Size}] and one score, found [{string.Join(",", _input.Shape)}] → [{string.Join(",", _score.Shape)}]");
            WindowLength = (int)_input.Shape[1];
            if (WindowLength > embedder.HistoryLength)
                throw new InvalidInputException(headPath, $"head reads {WindowLength} embeddings but the zone keeps {embedder.HistoryLength}");
        }
        catch
        {
            _model.Dispose();
            throw;
        }
        _refractorySteps = (int)Math.Ceiling(options.RefractorySeconds * SpeechSteps.PerSecond);
        _model.WarmUp();
    }

    public WakeWordOptions Options { get; }

    /// <summary>Embeddings the head reads (16 ≈ 1.28 s for openWakeWord heads).</summary>
    public int WindowLength { get; }

    /// <summary>The score of the last step.</summary>
    public float Score { get; private set; }

    /// <summary>
    /// Scores the embedder's latest window; call once after each <see cref="SpeechEmbedder.Step"/>.
    /// <paramref name="streamStep"/> is the step's index in the stream (it keeps counting while the
    /// zone is quiet and no embedding is made), so the refractory period is in stream time.
    /// Returns true when the keyword fires on this step.
    /// </summary>
    public bool Step(long streamStep)
    {
        if (_embedder.Count < SettleSteps)
        {
            Score = 0;
            return false;
        }
        _embedder.Latest(WindowLength).CopyTo(_input.Floats);
        _model.Run();
        Score = _score.Floats[0];
        _above = Score >= Options.Threshold ? _above + 1 : 0;
        if (_above == 0) _armed = true;
        if (!_armed || _above < Options.Patience || streamStep < _quietUntilStep) return false;
        // Fire once per utterance: re-arm only when the score has dropped and the period has passed.
        _quietUntilStep = streamStep + _refractorySteps;
        _armed = false;
        return true;
    }

    /// <summary>Forgets the streak and the refractory period (after the embedder is reset).</summary>
    public void Reset()
    {
        _above = 0;
        _armed = true;
        _quietUntilStep = long.MinValue;
        Score = 0;
    }

    public void Dispose() => _model.Dispose();
}

/// <summary>One keyword head's decision rule (configuration section per keyword).</summary>
public sealed class WakeWordOptions
{
    /// <summary>Keyword name in events, e.g. <c>hey_jarvis</c>.</summary>
    public string Keyword { get; set; } = "hey_jarvis";

    /// <summary>Score at or above which a step counts.</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>Consecutive steps at or above the threshold before firing (1 = fire at once).</summary>
    public int Patience { get; set; } = 1;

    /// <summary>After firing, the head stays quiet this long (one utterance fires once).</summary>
    public double RefractorySeconds { get; set; } = 2.0;
}

/// <summary>The feature clock: one step is 80 ms of 16 kHz audio.</summary>
public static class SpeechSteps
{
    public const int SampleRate = 16000;
    public const int Samples = MelSpectrogram.StepSamples;
    public const double Seconds = (double)Samples / SampleRate;
    public const double PerSecond = (double)SampleRate / Samples;
}
