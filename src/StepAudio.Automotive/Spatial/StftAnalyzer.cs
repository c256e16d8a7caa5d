namespace StepAudio.Automotive.Spatial;

/// <summary>One stream's STFT analysis: push a hop of samples, get the spectrum of the last frame.</summary>
public sealed class StftAnalyzer
{
    private readonly Stft _stft;
    private readonly float[] _history;
    private readonly float[] _frame;

    public StftAnalyzer(Stft stft)
    {
        _stft = stft;
        _history = new float[stft.FrameLength];
        _frame = new float[stft.FrameLength];
    }

    /// <summary>Appends <see cref="Stft.Hop"/> samples and writes bins 0..N/2 of the windowed last frame.</summary>
    public void Push(ReadOnlySpan<float> hop, Span<float> re, Span<float> im)
    {
        var n = _stft.FrameLength;
        var h = _stft.Hop;
        if (hop.Length != h) throw new ArgumentException($"expected {h} samples", nameof(hop));
        _history.AsSpan(h).CopyTo(_history);
        hop.CopyTo(_history.AsSpan(n - h));
        var w = _stft.AnalysisWindow;
        System.Numerics.Tensors.TensorPrimitives.Multiply(_history, w, _frame);
        _stft.Fft.RealForward(_frame, re, im);
    }

    public void Reset() => Array.Clear(_history);
}
