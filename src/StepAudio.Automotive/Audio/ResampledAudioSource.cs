namespace StepAudio.Automotive.Audio;

/// <summary>Presents another source at the pipeline's sample rate through a <see cref="PolyphaseResampler"/>.</summary>
public sealed class ResampledAudioSource : IAudioSource
{
    private readonly IAudioSource _inner;
    private readonly PolyphaseResampler _resampler;
    private readonly float[] _in;
    private readonly float[] _out;
    private int _outFrames;
    private int _outPos;
    private bool _ended;
    private bool _drained;

    public ResampledAudioSource(IAudioSource inner, int outputRate, int blockFrames = 1024)
    {
        _inner = inner;
        _resampler = new PolyphaseResampler(inner.SampleRate, outputRate, inner.Channels);
        SampleRate = outputRate;
        _in = new float[blockFrames * inner.Channels];
        _out = new float[_resampler.MaxOutputFrames(blockFrames) * inner.Channels];
    }

    public string Name => $"{_inner.Name} (resampled {_inner.SampleRate}→{SampleRate} Hz)";
    public int Channels => _inner.Channels;
    public int SampleRate { get; }
    public bool IsLive => _inner.IsLive;

    public int Read(Span<float> destination)
    {
        while (_outPos == _outFrames)
        {
            if (_drained) return 0;
            var n = _ended ? 0 : _inner.Read(_in);
            _ended = n == 0;
            _outFrames = _resampler.Process(_in.AsSpan(0, n * Channels), _out, _ended);
            _drained = _ended && _outFrames == 0;
            _outPos = 0;
        }
        var frames = Math.Min(destination.Length / Channels, _outFrames - _outPos);
        _out.AsSpan(_outPos * Channels, frames * Channels).CopyTo(destination);
        _outPos += frames;
        return frames;
    }

    public void Dispose() => _inner.Dispose();
}
