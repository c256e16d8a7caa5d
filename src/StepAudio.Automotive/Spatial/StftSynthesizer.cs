namespace StepAudio.Automotive.Spatial;

/// <summary>One stream's STFT synthesis by weighted overlap-add: spectrum in, one hop of samples out.</summary>
public sealed class StftSynthesizer
{
    private readonly Stft _stft;
    private readonly float[] _accumulator;
    private readonly float[] _frame;

    public StftSynthesizer(Stft stft)
    {
        _stft = stft;
        _accumulator = new float[stft.FrameLength];
        _frame = new float[stft.FrameLength];
    }

    /// <summary>
    /// Takes bins 0..N/2 of a frame (the rest is their conjugate mirror) and writes the next
    /// <see cref="Stft.Hop"/> finished output samples.
    /// </summary>
    public void Pop(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> hop)
    {
        var n = _stft.FrameLength;
        var h = _stft.Hop;
        _stft.Fft.RealInverse(re, im, _frame);
        var w = _stft.SynthesisWindow;
        for (var i = 0; i < n; i++) _accumulator[i] += _frame[i] * w[i];
        _accumulator.AsSpan(0, h).CopyTo(hop);
        _accumulator.AsSpan(h).CopyTo(_accumulator);
        _accumulator.AsSpan(n - h).Clear();
    }

    public void Reset() => Array.Clear(_accumulator);
}
