using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Audio;

/// <summary>Opens the configured kind of audio input and fits it to a cabin profile.</summary>
public static class AudioSourceFactory
{
    /// <summary>
    /// Opens a recording (<c>.wav</c>) or, for <c>-</c>, raw PCM on stdin in <paramref name="rawFormat"/>
    /// with the profile's channel count (plus <paramref name="references"/> loudspeaker feeds) and rate.
    /// </summary>
    public static IAudioSource OpenRecording(string path, CabinProfile profile, PcmSampleFormat rawFormat = PcmSampleFormat.S16, int references = 0)
    {
        IAudioSource source = path == "-"
            ? new RawPcmSource(Console.OpenStandardInput(), "raw:stdin", profile.Mics.Count + references, profile.SampleRate, rawFormat, isLive: false)
            : WavFileSource.Open(path);
        return FitToProfile(source, profile, references);
    }

    /// <summary>
    /// Opens live ALSA capture with the profile's channel count (plus <paramref name="references"/> loudspeaker
    /// feeds), asking for the pipeline rate (a device that grants another rate is resampled), read into a <see cref="CaptureBuffer"/>.
    /// </summary>
    public static IAudioSource OpenAlsa(string device, CabinProfile profile, PcmSampleFormat format, string? configFile = null, int references = 0) =>
        FitToProfile(new CaptureBuffer(new AlsaCaptureSource(device, profile.Mics.Count + references, profile.SampleRate, format, configFile)), profile, references);

    /// <summary>
    /// Checks the channel count against the profile (one per microphone, then <paramref name="references"/>
    /// loudspeaker feeds) and resamples to the pipeline rate when needed.
    /// </summary>
    public static IAudioSource FitToProfile(IAudioSource source, CabinProfile profile, int references = 0)
    {
        if (source.Channels != profile.Mics.Count + references)
        {
            var name = source.Name;
            source.Dispose();
            var expected = references == 0
                ? $"cabin profile '{profile.Name}' has {profile.Mics.Count} microphones (one channel per microphone, in profile order)"
                : $"cabin profile '{profile.Name}' has {profile.Mics.Count} microphones and {references} loudspeaker reference channels follow them";
            throw new InvalidInputException(StripKind(name), $"{source.Channels} channel(s), but {expected}");
        }
        return source.SampleRate == profile.SampleRate ? source : new ResampledAudioSource(source, profile.SampleRate);
    }

    private static string StripKind(string name)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? name[(colon + 1)..] : name;
    }
}
