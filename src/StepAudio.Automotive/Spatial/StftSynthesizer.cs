namespace StepAudio.Automotive.Spatial;

/// <summary>One stream's STFT synthesis by weighted overlap-add: spectrum in, one hop of samples out.</summary>
public sealed class StftSynthesizer
{
    private readonly Stft _stft;
    private readonly float[] _accumulator;
    private readonly float[] _re;
    private readonly float[] _im;

    public StftSynthesizer(Stft stft)
    {
        _stft = stft;
        _accumulator = new float[stft.FrameLength];
        _re = new float[stft.FrameLength];
        _im = new float[stft.FrameLength];
    }

    /// <summary>
    /// Takes bins 0..N/2 of a frame (the rest is their conjugate mirror) and writes the next
    /// <see cref="Stft.Hop"/> finished output samples.
    /// </summary>
    public void Pop(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> hop)
    {
        var n = _stft.FrameLength;
        var h = _stft.Hop;
        var bins = _stft.Bins;
        re[..bins].CopyTo(_re);
        im[..bins].CopyTo(_im);
        _im[0] = 0;
        _im[bins - 1] = 0;
        for (var k = bins; k < n; k++)
        {
            _re[k] = re[n - k];
            _im[k] = -im[n - k];
        }
        _stft.Fft.Inverse(_re, _im);
        var w = _stft.SynthesisWindow;
        for (var i = 0; i < n; i++) _accumulator[i] += _re[i] * w[i];
        _accumulator.AsSpan(0, h).CopyTo(hop);
        _accumulator.AsSpan(h).CopyTo(_accumulator);
        _accumulator.AsSpan(n - h).Clear();
    }

    public void Reset() => Array.Clear(_accumulator);
}
