namespace StepAudio.Automotive.Audio;

/// <summary>
/// Rational-ratio sample-rate converter: a Kaiser-windowed sinc low-pass split into L polyphase
/// branches (upsample by L, filter, downsample by M without computing the discarded samples).
/// The output is aligned with the input in time: the filter's group delay is compensated, so
/// stream times measured on the output equal those of the input.
/// </summary>
public sealed class PolyphaseResampler
{
    private readonly int _channels;
    private readonly int _up;      // L
    private readonly int _down;    // M
    private readonly int _taps;    // taps per phase, K
    private readonly float[] _phases; // [phase][tap], tap k multiplies x[base - k]
    private readonly long _delayUp;   // group delay in upsampled samples
    private float[] _history;      // planar-in-time interleaved input: last samples kept for the filter
    private int _historyFrames;    // valid frames in _history
    private long _historyStart;    // absolute input index of _history[0]
    private long _nextOut;         // absolute index of the next output frame
    private long _inputFrames;     // absolute count of input frames seen

    public PolyphaseResampler(int inputRate, int outputRate, int channels, int tapsPerPhase = 64, double kaiserBeta = 9.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        var g = Gcd(inputRate, outputRate);
        _up = outputRate / g;
        _down = inputRate / g;
        _channels = channels;
        InputRate = inputRate;
        OutputRate = outputRate;

        // Scale the filter with the ratio so a downsampler keeps the same transition width relative to its output band.
        _taps = (int)Math.Ceiling(tapsPerPhase * Math.Max(1.0, (double)_down / _up));
        var n = _taps * _up;
        // Cut-off a little below the lower Nyquist so aliasing lands in the stopband; normalised to the upsampled rate.
        var cutoff = 0.5 * Math.Min(1.0, (double)_up / _down) / _up * 0.92;
        var centre = (n - 1) / 2.0;
        _delayUp = (long)Math.Round(centre);
        var i0Beta = BesselI0(kaiserBeta);
        _phases = new float[n];
        for (var p = 0; p < _up; p++)
        {
            for (var k = 0; k < _taps; k++)
            {
                var j = p + (k * _up);
                var t = j - centre;
                var sinc = t == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
                var r = (2.0 * j / (n - 1)) - 1.0;
                var w = BesselI0(kaiserBeta * Math.Sqrt(Math.Max(0, 1 - (r * r)))) / i0Beta;
                _phases[(p * _taps) + k] = (float)(sinc * w * _up);
            }
        }
        _history = new float[(_taps + 4096) * channels];
    }

    public int InputRate { get; }
    public int OutputRate { get; }

    /// <summary>Output frames that <paramref name="inputFrames"/> input frames become in total.</summary>
    public long OutputLength(long inputFrames) => ((inputFrames * _up) + _down - 1) / _down;

    /// <summary>Most output frames a call with <paramref name="inputFrames"/> can produce.</summary>
    public int MaxOutputFrames(int inputFrames) => (int)(((long)(inputFrames + _taps) * _up / _down) + 2);

    /// <summary>
    /// Feeds interleaved input and writes the output frames that are now fully determined.
    /// Pass <paramref name="endOfStream"/> once at the end to drain the filter.
    /// </summary>
    public int Process(ReadOnlySpan<float> input, Span<float> output, bool endOfStream = false)
    {
        var frames = input.Length / _channels;
        Append(input[..(frames * _channels)]);
        _inputFrames += frames;

        var produced = 0;
        var total = endOfStream ? OutputLength(_inputFrames) : long.MaxValue;
        var maxOut = output.Length / _channels;
        while (produced < maxOut && _nextOut < total)
        {
            var u = (_nextOut * _down) + _delayUp;
            var baseIndex = u / _up;  // newest input sample the filter touches
            if (baseIndex >= _inputFrames && !endOfStream) break;
            var phase = (int)(u % _up);
            var coeffs = _phases.AsSpan(phase * _taps, _taps);
            var o = output.Slice(produced * _channels, _channels);
            for (var c = 0; c < _channels; c++)
            {
                double acc = 0;
                for (var k = 0; k < _taps; k++)
                {
                    var idx = baseIndex - k - _historyStart;
                    if (idx < 0) break; // before the stream: silence
                    if (idx < _historyFrames) acc += coeffs[k] * _history[(idx * _channels) + c];
                }
                o[c] = (float)acc;
            }
            produced++;
            _nextOut++;
        }
        Trim();
        return produced;
    }

    private void Append(ReadOnlySpan<float> input)
    {
        var need = (_historyFrames * _channels) + input.Length;
        if (need > _history.Length) Array.Resize(ref _history, need);
        input.CopyTo(_history.AsSpan(_historyFrames * _channels));
        _historyFrames += input.Length / _channels;
    }

    private void Trim()
    {
        // Keep what the next output's filter window still reaches.
        var u = (_nextOut * _down) + _delayUp;
        var oldestNeeded = (u / _up) - _taps + 1;
        var drop = (int)Math.Clamp(oldestNeeded - _historyStart, 0, _historyFrames);
        if (drop == 0) return;
        _history.AsSpan(drop * _channels, (_historyFrames - drop) * _channels).CopyTo(_history);
        _historyFrames -= drop;
        _historyStart += drop;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (var k = 1; k < 64 && term > 1e-12 * sum; k++)
        {
            term *= q / (k * (double)k);
            sum += term;
        }
        return sum;
    }
}
