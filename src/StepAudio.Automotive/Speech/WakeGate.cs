using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// Whether a wake word that fired may open a command window (configuration section <c>StepAudio:WakeGate</c>):
/// the keyword must be what its talker's utterance began with. The zone tracker must hear the wake word's
/// seat talking, and that seat's talk must have begun between <see cref="MinOnsetSeconds"/> and
/// <see cref="MaxOnsetSeconds"/> before the keyword fired, about as long as "hey jarvis" takes to say.
/// In conversation the wake head fires on chatter in the middle of a sentence (the seat has been talking
/// for seconds), on another seat's talk leaking into a beam, or on the radio while no seat talks; a real
/// wake word after a pause does none of these. The cost: a wake word run on straight from a sentence,
/// with less than the tracker's hangover (0.4 s) of pause before it, is not heard. While the camera is live,
/// audio-visual attribution (whose lips moved) decides instead and this gate is not asked.
/// </summary>
public sealed class WakeGate
{
    /// <summary>Check wake words at all; false: every wake word the head fires opens a window.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The seat's talk must have begun at least this long before the keyword fired: "hey jarvis" lasts 0.5 s or
    /// more (HIL, held-out voices: 0.55–0.94 s from the seat opening to the wake event).
    /// </summary>
    public double MinOnsetSeconds { get; set; } = 0.4;

    /// <summary>…and at most this long: a seat talking for longer was mid-sentence when the keyword fired.</summary>
    public double MaxOnsetSeconds { get; set; } = 1.5;

    /// <summary>True when a wake word attributed to <paramref name="zone"/> at <paramref name="streamTime"/> passes.</summary>
    public bool Admits(ZoneTracker tracker, int zone, double streamTime)
    {
        if (!Enabled) return true;
        if (!tracker.IsActive(zone)) return false;
        var onset = streamTime - tracker.TalkingSince(zone);
        return onset >= MinOnsetSeconds && onset <= MaxOnsetSeconds;
    }

    /// <summary>The problems with these settings, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (!(MinOnsetSeconds >= 0 && MinOnsetSeconds <= 5)) yield return $"{section}:MinOnsetSeconds: {MinOnsetSeconds} must be between 0 and 5";
        if (!(MaxOnsetSeconds >= MinOnsetSeconds && MaxOnsetSeconds <= 30))
            yield return $"{section}:MaxOnsetSeconds: {MaxOnsetSeconds} must be between MinOnsetSeconds ({MinOnsetSeconds}) and 30";
    }
}
