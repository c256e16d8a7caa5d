using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// A rendered scene: the microphone mix and, kept apart, every source's contribution to it, so tests
/// can measure SNR, SIR and SI-SDR against the truth. All arrays are per microphone, in profile order,
/// already scaled by <see cref="OutputGain"/> exactly as they are in <see cref="Mix"/>.
/// </summary>
public sealed class SceneRender
{
    public required CabinScene Scene { get; init; }

    public required int SampleRate { get; init; }

    /// <summary>What the microphones hear: every utterance plus the noise.</summary>
    public required float[][] Mix { get; init; }

    /// <summary>Everything but the utterances: the diffuse road noise plus the microphones' self-noise.</summary>
    public required float[][] Noise { get; init; }

    public required IReadOnlyList<RenderedUtterance> Utterances { get; init; }

    /// <summary>The room the scene was rendered in (its RT60, wall reflection coefficient, impulse responses).</summary>
    public required ImageSourceRoom Room { get; init; }

    public double Rt60Seconds => Room.Rt60Seconds;

    public double ReflectionCoefficient => Room.ReflectionCoefficient;

    /// <summary>Scale applied to everything so the mix peaks below full scale (1 when it already did).</summary>
    public required double OutputGain { get; init; }

    /// <summary>Talker speech to noise power at the microphones over the talkers' speech; null without noise.</summary>
    public double? SnrDb { get; init; }

    public int Channels => Mix.Length;

    public int Frames => Mix[0].Length;

    /// <summary>
    /// What each of the cabin's loudspeakers played (profile order): the head unit's own playback, which it
    /// can hand to its echo canceller. The emitted signals, scaled like the mix.
    /// </summary>
    public float[][] LoudspeakerFeeds()
    {
        var speakers = Scene.Cabin.Loudspeakers.Select(z => z.Name).ToList();
        var feeds = new float[speakers.Count][];
        for (var s = 0; s < feeds.Length; s++) feeds[s] = new float[Frames];
        foreach (var u in Utterances)
        {
            if (u.Kind != SceneSourceKind.Loudspeaker) continue;
            var feed = feeds[speakers.IndexOf(u.Source)];
            for (var i = 0; i < u.Dry.Length && u.StartSample + i < feed.Length; i++) feed[u.StartSample + i] += (float)(u.Dry[i] * OutputGain);
        }
        return feeds;
    }

    /// <summary>
    /// The mix as interleaved frames, for <see cref="Audio.WavWriter"/>; with <paramref name="loudspeakerFeeds"/>
    /// the <see cref="LoudspeakerFeeds"/> follow the microphones in every frame, as a head unit's capture carries them.
    /// </summary>
    /// <summary>
    /// Writes the mix as a WAV file (<see cref="Interleaved"/>): the microphones, with <paramref name="loudspeakerFeeds"/> followed by the loudspeakers' feeds;
    /// returns how many feed channels follow the microphones.
    /// </summary>
    public int WriteWav(string path, bool loudspeakerFeeds)
    {
        var references = loudspeakerFeeds ? Scene.Cabin.Loudspeakers.Count : 0;
        Audio.WavWriter.Write(path, Interleaved(loudspeakerFeeds), Channels + references, SampleRate);
        return references;
    }

    public float[] Interleaved(bool loudspeakerFeeds = false)
    {
        float[][] channels = loudspeakerFeeds ? [.. Mix, .. LoudspeakerFeeds()] : Mix;
        var c = channels.Length;
        var x = new float[Frames * c];
        for (var m = 0; m < c; m++)
        {
            var ch = channels[m];
            for (var i = 0; i < ch.Length; i++) x[(i * c) + m] = ch[i];
        }
        return x;
    }
}

/// <summary>
/// One utterance as rendered: where it came from and when (emission time at the source, seconds from
/// the start of the recording; it reaches the microphones 1–4 ms later), the dry signal that was
/// emitted, and its reverberant image at each microphone from <see cref="StartSample"/> on.
/// </summary>
public sealed record RenderedUtterance(
    int Index,
    SceneEvent Event,
    Point3 Position,
    double AzimuthDeg,
    double ElevationDeg,
    double DistanceMetres,
    double StartSeconds,
    double EndSeconds,
    int StartSample,
    float[] Dry,
    float[][] Image)
{
    public SceneSourceKind Kind => Event.Kind;

    public string Source => Event.Source;
}
