using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// openWakeWord's speech embedding, streaming: keeps the latest mel frames, and per 80 ms step runs
/// the model once on the last 76 of them (stepping 8 frames), giving one 96-dim embedding per step.
/// Keeps the last <see cref="HistoryLength"/> embeddings, oldest first, for every head of the zone.
/// While the zone is quiet the frames still slide in (cheap) but no embedding is computed; when it
/// wakes, <see cref="CatchUp"/> embeds the few steps the voice detector's onset lag skipped.
/// </summary>
public sealed class SpeechEmbedder : IDisposable
{
    public const int WindowFrames = 76;
    public const int Size = 96;

    /// <summary>Skipped steps that can be embedded late: covers the voice detector's onset lag.</summary>
    public const int MaxCatchUpSteps = 3;

    private const int StepFrames = MelSpectrogram.FramesPerStep * MelSpectrogram.Bins;

    private readonly OnnxModel _model;

    /// <summary>The ONNX Runtime session behind this stage (file, execution provider), for status.</summary>
    public OnnxModel Model => _model;
    private readonly OnnxTensor _window;
    private readonly OnnxTensor _embedding;
    private readonly float[] _frames = new float[(WindowFrames + (MaxCatchUpSteps * MelSpectrogram.FramesPerStep)) * MelSpectrogram.Bins];
    private readonly float[] _history;
    private int _skipped;

    /// <summary>The tensor shapes this stage runs the model with (one 76-frame window).</summary>
    public static IReadOnlyDictionary<string, long[]> Shapes { get; } = new Dictionary<string, long[]>
    {
        ["input_1"] = [1, WindowFrames, MelSpectrogram.Bins, 1],
        ["conv2d_19"] = [1, 1, 1, Size],
    };

    /// <param name="historyLength">Embeddings kept: the longest head input of the zone (16 for wake words).</param>
    public SpeechEmbedder(string modelPath, InferenceOptions options, int historyLength = 16, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLength, 1);
        HistoryLength = historyLength;
        _history = new float[historyLength * Size];
        _model = new OnnxModel(modelPath, options, Shapes, logger);
        _window = _model.Input("input_1");
        _embedding = _model.Output("conv2d_19");
        _model.WarmUp();
        Reset();
    }

    public int HistoryLength { get; }

    /// <summary>Embeddings computed since the last reset.</summary>
    public long Count { get; private set; }

    public string ExecutionProvider => _model.ExecutionProvider;

    /// <summary>Slides in one step's 8 × 32 mel frames without running the model (the zone is quiet).</summary>
    public void Skip(ReadOnlySpan<float> frames)
    {
        Push(frames);
        _skipped = Math.Min(_skipped + 1, MaxCatchUpSteps + 1);
    }

    /// <summary>Slides in one step's 8 × 32 mel frames and appends that step's embedding.</summary>
    public void Step(ReadOnlySpan<float> frames)
    {
        Push(frames);
        Embed(0);
    }

    /// <summary>
    /// Embeds up to <paramref name="steps"/> of the most recently skipped steps, oldest first, so the
    /// history holds real embeddings for them. Call before the next <see cref="Step"/>.
    /// </summary>
    public void CatchUp(int steps)
    {
        var n = Math.Min(Math.Min(steps, _skipped), MaxCatchUpSteps);
        var gap = _skipped > MaxCatchUpSteps;
        for (var back = n - 1; back >= 0; back--) Embed(back);
        // After a longer quiet spell the older history is from before it: stale. An ungated stream (what
        // openWakeWord and the trainer see) would hold the quiet there, so the first fresh embedding,
        // made just before the voice began, stands in for it.
        if (gap && n > 0)
        {
            var first = _history.AsSpan((HistoryLength - n) * Size, Size);
            for (var i = 0; i < HistoryLength - n; i++) first.CopyTo(_history.AsSpan(i * Size));
        }
        _skipped = 0;
    }

    /// <summary>The last <paramref name="count"/> embeddings, oldest first, as [count × 96].</summary>
    public ReadOnlySpan<float> Latest(int count) =>
        count <= HistoryLength ? _history.AsSpan((HistoryLength - count) * Size) : throw new ArgumentOutOfRangeException(nameof(count), $"only {HistoryLength} embeddings are kept");

    /// <summary>
    /// Back to the start-up state: openWakeWord's (mel frames of ones), and a history filled with the
    /// embedding of that window so heads see steady silence rather than zeros.
    /// </summary>
    public void Reset()
    {
        _frames.AsSpan().Fill(1f);
        Embed(0);
        var first = _history.AsSpan(^Size..);
        for (var i = 0; i < HistoryLength - 1; i++) first.CopyTo(_history.AsSpan(i * Size));
        Count = 0;
        _skipped = 0;
    }

    public void Dispose() => _model.Dispose();

    private void Push(ReadOnlySpan<float> frames)
    {
        if (frames.Length != StepFrames)
            throw new ArgumentException($"one step is {MelSpectrogram.FramesPerStep} × {MelSpectrogram.Bins} mel values, got {frames.Length}", nameof(frames));
        var f = _frames.AsSpan();
        f[StepFrames..].CopyTo(f);
        frames.CopyTo(f[^StepFrames..]);
    }

    /// <summary>Embeds the 76-frame window ending <paramref name="stepsBack"/> steps before the newest frame.</summary>
    private void Embed(int stepsBack)
    {
        var end = _frames.Length - (stepsBack * StepFrames);
        _frames.AsSpan(end - _window.Floats.Length, _window.Floats.Length).CopyTo(_window.Floats);
        _model.Run();
        var h = _history.AsSpan();
        h[Size..].CopyTo(h);
        _embedding.Floats.CopyTo(h[^Size..]);
        Count++;
    }
}
