namespace StepAudio.Automotive.Audio;

/// <summary>
/// A multichannel audio input: a WAV recording, a raw PCM pipe or a live ALSA device.
/// Samples are interleaved floats scaled to [-1, 1), in the cabin profile's microphone order.
/// </summary>
public interface IAudioSource : IDisposable
{
    /// <summary>Where the audio comes from, for status and error messages (e.g. <c>wav:cabin.wav</c>).</summary>
    string Name { get; }

    int Channels { get; }

    int SampleRate { get; }

    /// <summary>True for a device that delivers in real time (and can vanish); false for recordings.</summary>
    bool IsLive { get; }

    /// <summary>Capture overruns recovered so far (samples were lost); always 0 for recordings.</summary>
    long Overruns => 0;

    /// <summary>
    /// Reads up to <c>destination.Length / Channels</c> whole frames. Blocks until at least one frame
    /// is available; returns 0 only at the end of the stream.
    /// </summary>
    int Read(Span<float> destination);
}
