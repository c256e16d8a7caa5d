namespace StepAudio.Automotive.Audio;

/// <summary>
/// The last <see cref="Capacity"/> samples of a stream, addressed by their position in it (samples written since
/// the start): what a live capture waits in (<see cref="CaptureBuffer"/>), and the audio a zone keeps for the
/// transcriber (<see cref="Speech.CommandRecognizer"/>). Not thread-safe; allocates nothing after construction.
/// </summary>
public sealed class SampleRing(int capacity)
{
    private readonly float[] _buffer = new float[capacity];

    public int Capacity => _buffer.Length;

    /// <summary>Samples written since the start (or <see cref="Clear"/>): the position after the newest.</summary>
    public long Written { get; private set; }

    /// <summary>Position of the oldest sample still held.</summary>
    public long Oldest => Math.Max(0, Written - _buffer.Length);

    /// <summary>Appends samples, overwriting the oldest; a block longer than the ring keeps its tail, and the position still counts all of it.</summary>
    public void Write(ReadOnlySpan<float> samples)
    {
        if (samples.Length > _buffer.Length)
        {
            Written += samples.Length - _buffer.Length;
            samples = samples[^_buffer.Length..];
        }
        var at = (int)(Written % _buffer.Length);
        var first = Math.Min(samples.Length, _buffer.Length - at);
        samples[..first].CopyTo(_buffer.AsSpan(at));
        samples[first..].CopyTo(_buffer);
        Written += samples.Length;
    }

    /// <summary>Copies the samples at positions <paramref name="start"/> … + <paramref name="destination"/>.Length − 1, which must still be held.</summary>
    public void CopyTo(long start, Span<float> destination)
    {
        if (start < Oldest || start + destination.Length > Written)
            throw new ArgumentOutOfRangeException(nameof(start), $"samples {start}…{start + destination.Length} are not all held (held: {Oldest}…{Written})");
        var at = (int)(start % _buffer.Length);
        var first = Math.Min(destination.Length, _buffer.Length - at);
        _buffer.AsSpan(at, first).CopyTo(destination);
        _buffer.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }

    /// <summary>Forgets everything: the stream starts again at position 0.</summary>
    public void Clear() => Written = 0;
}
