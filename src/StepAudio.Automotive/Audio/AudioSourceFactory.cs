using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Audio;

/// <summary>Opens the configured kind of audio input and fits it to a cabin profile.</summary>
public static class AudioSourceFactory
{
    /// <summary>
    /// Opens a recording (<c>.wav</c>) or, for <c>-</c>, raw PCM on stdin in <paramref name="rawFormat"/>
    /// with the profile's channel count and rate.
    /// </summary>
    public static IAudioSource OpenRecording(string path, CabinProfile profile, PcmSampleFormat rawFormat = PcmSampleFormat.S16)
    {
        IAudioSource source = path == "-"
            ? new RawPcmSource(Console.OpenStandardInput(), "raw:stdin", profile.Mics.Count, profile.SampleRate, rawFormat, isLive: false)
            : WavFileSource.Open(path);
        return FitToProfile(source, profile);
    }

    /// <summary>
    /// Opens live ALSA capture with the profile's channel count, asking for the pipeline rate (a device that
    /// grants another rate is resampled), read into a <see cref="CaptureBuffer"/>.
    /// </summary>
    public static IAudioSource OpenAlsa(string device, CabinProfile profile, PcmSampleFormat format, string? configFile = null) =>
        FitToProfile(new CaptureBuffer(new AlsaCaptureSource(device, profile.Mics.Count, profile.SampleRate, format, configFile)), profile);

    /// <summary>Checks the channel count against the profile and resamples to the pipeline rate when needed.</summary>
    public static IAudioSource FitToProfile(IAudioSource source, CabinProfile profile)
    {
        if (source.Channels != profile.Mics.Count)
        {
            var name = source.Name;
            source.Dispose();
            throw new InvalidInputException(StripKind(name),
                $"{source.Channels} channel(s), but cabin profile '{profile.Name}' has {profile.Mics.Count} microphones (one channel per microphone, in profile order)");
        }
        return source.SampleRate == profile.SampleRate ? source : new ResampledAudioSource(source, profile.SampleRate);
    }

    private static string StripKind(string name)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? name[(colon + 1)..] : name;
    }
}
