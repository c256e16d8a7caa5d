namespace StepAudio.Automotive.Spatial;

/// <summary>Which beamformer makes the per-zone streams.</summary>
public enum BeamformerKind
{
    Mvdr,
    DelayAndSum,
}

/// <summary>Settings of the spatial front end (config section <c>StepAudio:Spatial</c>).</summary>
public sealed record SpatialOptions
{
    public BeamformerKind Beamformer { get; init; } = BeamformerKind.Mvdr;

    /// <summary>Lowest frequency used for localization: below it a small array sees no phase difference.</summary>
    public double BandLowHz { get; init; } = 300;

    /// <summary>
    /// Highest frequency used for localization. Above a small array's aliasing limit single pairs
    /// become ambiguous, but the sum over pairs stays sharp, and speech carries direction up here.
    /// </summary>
    public double BandHighHz { get; init; } = 6000;

    /// <summary>A time-frequency bin takes part in localization only this far above its noise floor, dB.</summary>
    public double MaskSnrDb { get; init; } = 6;

    /// <summary>
    /// When above 0, a time-frequency bin takes part in localization only if its power rose this much
    /// since the previous frame, dB (3 suits the linear headliner array: fewer speech events in empty
    /// seats, half the azimuth error; 0, every bin above the floor, finds weak second talkers more often).
    /// </summary>
    public double OnsetDb { get; init; }

    /// <summary>
    /// Second-talker search: bins whose phases fit the frame's strongest source at least this well
    /// (mean cosine of the phase error over pairs) are removed and the rest searched for a second seat
    /// (<see cref="ZoneMap.ResidualCoherence"/>); 0 turns it off.
    /// </summary>
    public double ResidualCoherence { get; init; } = 0.5;

    /// <summary>Steered power over the remaining bins a seat needs to count as a second talker.</summary>
    public double MinResidualPower { get; init; } = 0.25;

    /// <summary>A zone keeps a frame's evidence only within this fraction of the strongest seat's steered power.</summary>
    public double RelativePower { get; init; } = 0.95;

    /// <summary>A zone opens only with at least this fraction of the strongest candidate's smoothed evidence.</summary>
    public double TrackerRelativeOn { get; init; } = 0.4;

    /// <summary>Frames above the tracker's threshold before a zone opens while another zone is open.</summary>
    public int TrackerSecondOnFrames { get; init; } = 15;

    /// <summary>
    /// Share of the frames since a zone's evidence rose that must be the seat's own (it won the frame, or
    /// the second-source search found it) before it opens (<see cref="ZoneTracker.DistinctShare"/>): 0.35 keeps
    /// most same-side ghost seats of the console array closed; 0 turns the check off.
    /// </summary>
    public double TrackerDistinctShare { get; init; } = 0.35;

    /// <summary>
    /// Seconds of frames with evidence over which each seat's steered power is averaged (silence fades it at
    /// the same rate); when the frame's winner and the seat leading the average are both within
    /// <see cref="RelativePower"/> of the frame's best, the frame is the leader's own (<see cref="ZoneMap.AccumulationFrames"/>).
    /// On the console's 9 cm circle the seat in front of or behind a talker wins 30–50 % of such close frames
    /// but rarely the 0.5 s average (0.5 with <see cref="TrackerReleaseSeconds"/> 0.5: one talker at SNR ≥ 5 dB on the
    /// console 93.0 → 97.7 %), but a talker beside one who talks throughout gets too few frames of its own (the
    /// synthetic MVDR test's SIR fell from ≥ 10 to 8.5 dB), so it is off by default. 0: the frame's winner always.
    /// </summary>
    public double AccumulateSeconds { get; init; }

    /// <summary>
    /// An open zone closes after this many seconds in which other seats had frames of their own and it
    /// none (<see cref="ZoneTracker.ReleaseFrames"/>); 0: only silence closes a zone. With
    /// <see cref="AccumulateSeconds"/> a ghost seat that opened (e.g. on the noise before the floor settled)
    /// stops holding on through the talker's utterance.
    /// </summary>
    public double TrackerReleaseSeconds { get; init; }

    /// <summary>
    /// Wall bounces modelled when the zone map steers to seats and loudspeakers (<see cref="CabinReflections"/>:
    /// image sources of the profile's interior box, Eyring's coefficient for its RT60); 0: direct path only,
    /// as for a profile without <c>interior</c>. A rear talker's side-window reflection arrives ~1 ms after
    /// the direct sound from between its seat and the one in front; modelled, it no longer reads as that
    /// seat. One talker at SNR ≥ 5 dB on the console array, seeds 3–14: 92.9 % (order 0), 100 % (1 and 2);
    /// fresh seeds 15–26: 97.6 % with 1, 100 % with 2. It assumes the cabin reflects like the box: on a
    /// free-field (wall-less) signal it loses a weak second talker.
    /// </summary>
    public int ReflectionOrder { get; init; } = 2;

    /// <summary>
    /// Channels after the microphones in the capture stream that carry what the loudspeakers play (the head
    /// unit's own playback, e.g. the DSP's reference slots or an ALSA loopback in the same stream); the
    /// <see cref="EchoCanceller"/> removes it from the microphones. 0: no references, no echo cancellation.
    /// </summary>
    public int EchoReferences { get; init; }

    /// <summary>Most zones open at once.</summary>
    public int TrackerMaxTalkers { get; init; } = 4;

    /// <summary>A loudspeaker must beat every seat's steered power by this much for a frame to count as radio.</summary>
    public double LoudspeakerMargin { get; init; } = 0.05;

    /// <summary>Frames above the tracker's threshold before a zone opens.</summary>
    public int TrackerOnFrames { get; init; } = 15;

    /// <summary>Reads a beamformer name from configuration: <c>mvdr</c> or <c>das</c> (delay-and-sum).</summary>
    public static BeamformerKind ParseBeamformer(string value, string source) => value.ToLowerInvariant() switch
    {
        "mvdr" => BeamformerKind.Mvdr,
        "das" or "delay-and-sum" => BeamformerKind.DelayAndSum,
        _ => throw new InvalidInputException(source, $"'{value}' is not a beamformer (use mvdr or das)"),
    };
}
