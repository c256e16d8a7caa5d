namespace StepAudio.Automotive.Pipeline;

/// <summary>
/// Watches every microphone channel over half-second windows: a channel that is flat (dead or
/// disconnected) or clipping is flagged within one second, so localization and beamforming can
/// leave it out and the status event can say so. Non-finite samples are zeroed and counted here,
/// before anything downstream can be poisoned by them.
/// </summary>
public sealed class MicrophoneHealthMonitor
{
    /// <summary>Below this RMS (≈ −90 dBFS) a channel carries no acoustic signal at all.</summary>
    public const double DeadRms = 3.2e-5;

    /// <summary>A sample this close to full scale counts as clipped.</summary>
    public const float ClipLevel = 0.999f;

    /// <summary>More than this fraction of clipped samples in a window marks the channel clipped.</summary>
    public const double ClipFraction = 0.01;

    private readonly int _windowFrames;
    private readonly double[] _sumSquares;
    private readonly double[] _sum;
    private readonly int[] _clipped;
    private readonly bool[] _dead;
    private readonly bool[] _clipping;
    private int _framesInWindow;

    public MicrophoneHealthMonitor(int channels, int sampleRate)
    {
        _windowFrames = sampleRate / 2;
        _sumSquares = new double[channels];
        _sum = new double[channels];
        _clipped = new int[channels];
        _dead = new bool[channels];
        _clipping = new bool[channels];
    }

    public long NonFiniteSamples { get; private set; }

    public bool IsDead(int channel) => _dead[channel];

    public bool IsClipped(int channel) => _clipping[channel];

    /// <summary>True when the channel should feed localization and beamforming.</summary>
    public bool IsUsable(int channel) => !_dead[channel] && !_clipping[channel];

    /// <summary>
    /// Takes one block of one channel (sanitising it in place). Call <see cref="EndBlock"/> after all channels.
    /// </summary>
    public void Observe(int channel, Span<float> samples)
    {
        double s2 = 0, s1 = 0;
        var clipped = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var x = samples[i];
            if (!float.IsFinite(x))
            {
                samples[i] = 0;
                NonFiniteSamples++;
                continue;
            }
            s1 += x;
            s2 += x * x;
            if (MathF.Abs(x) >= ClipLevel) clipped++;
        }
        _sum[channel] += s1;
        _sumSquares[channel] += s2;
        _clipped[channel] += clipped;
    }

    /// <summary>Closes a block of <paramref name="frames"/>; returns true when any channel's health changed.</summary>
    public bool EndBlock(int frames)
    {
        _framesInWindow += frames;
        if (_framesInWindow < _windowFrames) return false;
        var changed = false;
        for (var c = 0; c < _sum.Length; c++)
        {
            // AC power only: a channel stuck at a DC level is as dead as a silent one.
            var mean = _sum[c] / _framesInWindow;
            var variance = Math.Max(0, (_sumSquares[c] / _framesInWindow) - (mean * mean));
            var dead = Math.Sqrt(variance) < DeadRms;
            var clipping = _clipped[c] > ClipFraction * _framesInWindow;
            changed |= dead != _dead[c] || clipping != _clipping[c];
            _dead[c] = dead;
            _clipping[c] = clipping;
            _sum[c] = 0;
            _sumSquares[c] = 0;
            _clipped[c] = 0;
        }
        _framesInWindow = 0;
        return changed;
    }

    public int[] DeadChannels() => Enumerable.Range(0, _dead.Length).Where(c => _dead[c]).ToArray();

    public int[] ClippedChannels() => Enumerable.Range(0, _clipping.Length).Where(c => _clipping[c]).ToArray();
}
