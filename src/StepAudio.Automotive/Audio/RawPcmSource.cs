namespace StepAudio.Automotive.Audio;

/// <summary>
/// Interleaved raw PCM from a stream (typically stdin fed by arecord, GStreamer or a test rig).
/// Format, channel count and rate are not in the data, so they come from configuration.
/// </summary>
public sealed class RawPcmSource : IAudioSource
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly int _frameBytes;
    private byte[] _scratch = [];
    private int _carry; // bytes of an incomplete frame kept from the previous read

    public RawPcmSource(Stream stream, string name, int channels, int sampleRate, PcmSampleFormat format, bool isLive, bool ownsStream = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        _stream = stream;
        _ownsStream = ownsStream;
        Name = name;
        Channels = channels;
        SampleRate = sampleRate;
        Format = format;
        IsLive = isLive;
        _frameBytes = channels * format.BytesPerSample();
    }

    public string Name { get; }
    public int Channels { get; }
    public int SampleRate { get; }
    public bool IsLive { get; }
    public PcmSampleFormat Format { get; }

    public int Read(Span<float> destination)
    {
        var maxFrames = destination.Length / Channels;
        if (maxFrames == 0) return 0;
        var want = maxFrames * _frameBytes;
        if (_scratch.Length < want) Array.Resize(ref _scratch, want);
        var have = _carry;
        // A pipe hands over whatever is ready; wait for at least one whole frame.
        while (have < _frameBytes)
        {
            var n = _stream.Read(_scratch, have, want - have);
            if (n == 0)
            {
                if (have > 0)
                    throw new InvalidInputException(Name, $"stream ended inside a frame ({have} stray bytes): check the sample format and channel count");
                return 0;
            }
            have += n;
        }
        var frames = have / _frameBytes;
        var used = frames * _frameBytes;
        Format.Decode(_scratch.AsSpan(0, used), destination[..(frames * Channels)]);
        _carry = have - used;
        if (_carry > 0) _scratch.AsSpan(used, _carry).CopyTo(_scratch);
        return frames;
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }
}
