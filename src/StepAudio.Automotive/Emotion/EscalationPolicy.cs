using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Emotion;

/// <summary>
/// Decides when a seat is handed to a human. Immediate on an emergency intent (critical) or a
/// distress keyword (high); after agitation stays above a threshold for N seconds, with hysteresis
/// (medium, or high when very agitated); after repeated failed commands with rising arousal (low).
/// Per-seat cooldown by severity; optionally emotion triggers for the driver only. Every escalation
/// carries its evidence. Driven by the stream times of its inputs only.
/// </summary>
public sealed class EscalationPolicy
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";

    private readonly EscalationOptions _options;
    private readonly Dictionary<string, Seat> _seats = new(StringComparer.Ordinal);

    public EscalationPolicy(EscalationOptions? options = null)
    {
        _options = options ?? new EscalationOptions();
        _options.Validate();
    }

    /// <summary>
    /// An understood command: an emergency intent escalates at the intent's own stream time; any intent
    /// answers a pending wake. <paramref name="escalatedElsewhere"/>: another stage already escalated
    /// this very intent (whatever severity it chose), so it is not escalated again.
    /// </summary>
    public EscalationEvent? OnIntent(IntentEvent intent, bool escalatedElsewhere = false)
    {
        var seat = SeatOf(intent.Zone);
        seat.PendingWake = null;
        if (escalatedElsewhere || !_options.EmergencyIntents.Contains(intent.Intent, StringComparer.Ordinal)) return null;
        return Escalate(seat, intent.StreamTime, Critical, "emergency-intent", $"emergency requested ({intent.Intent})",
            new EscalationEvidence { Intent = intent.Intent, Agitation = CabinEvent.Round(seat.LastAgitation), Arousal = CabinEvent.Round(seat.LastArousal) });
    }

    /// <summary>
    /// A wake word: if no intent follows within <see cref="EscalationOptions.IntentWaitSeconds"/> while the seat
    /// went on talking (<see cref="EscalationOptions.FailedCommandSpeechSeconds"/>) it is a failed command.
    /// </summary>
    public EscalationEvent? OnWake(WakeEvent wake)
    {
        var seat = SeatOf(wake.Zone);
        var result = CheckFailures(seat, wake.StreamTime);
        seat.PendingWake = wake.StreamTime;
        seat.SpokenAfterWake = 0;
        return result;
    }

    /// <summary>
    /// The command window of the seat's last wake word heard talk that is no command (the transcriber's verdict):
    /// that wake word fired in conversation and asked for nothing, so it is no failed command.
    /// </summary>
    public void OnTalk(string zone) => SeatOf(zone).PendingWake = null;

    /// <summary>
    /// An escalation another stage published (e.g. the speech stage's for an emergency command): it
    /// counts for the seat's cooldown, so the same emergency is not escalated twice.
    /// </summary>
    public void OnEscalation(EscalationEvent escalation)
    {
        var seat = SeatOf(escalation.Zone);
        var rank = Rank(escalation.Severity);
        if (rank < seat.LastRank && escalation.StreamTime - seat.LastEscalation < _options.CooldownSeconds) return;
        seat.LastEscalation = escalation.StreamTime;
        seat.LastRank = rank;
    }

    /// <summary>A spotted keyword; distress keywords escalate at once.</summary>
    public EscalationEvent? OnKeyword(string zone, string keyword, double streamTime)
    {
        var normalized = keyword.Trim().ToLowerInvariant();
        if (!_options.DistressKeywords.Contains(normalized, StringComparer.Ordinal)) return null;
        var seat = SeatOf(zone);
        return Escalate(seat, streamTime, High, "distress-keyword", $"distress keyword '{normalized}'",
            new EscalationEvidence { Keyword = normalized, Agitation = CabinEvent.Round(seat.LastAgitation), Arousal = CabinEvent.Round(seat.LastArousal) });
    }

    /// <summary>
    /// The seat's fused emotion at <paramref name="streamTime"/> (call it every update, e.g. every 10 ms hop).
    /// An episode opens when agitation reaches <see cref="EscalationOptions.AgitationEnter"/> and closes
    /// below <see cref="EscalationOptions.AgitationExit"/> or after a gap of more than
    /// <see cref="EscalationOptions.MaxGapSeconds"/> with no modality. Its evidence grows faster the
    /// stronger the agitation: a second at the entry threshold is 1/<see cref="EscalationOptions.SustainSeconds"/>
    /// of what is needed, a second at <see cref="EscalationOptions.HighAgitation"/> or above
    /// 1/<see cref="EscalationOptions.HighSustainSeconds"/>; time in the hysteresis band counts at the entry
    /// rate. Only observed time counts (<see cref="FusedEmotion.Observed"/>): pauses and short gaps hold the
    /// episode without adding to it, so N seconds means N seconds of agitated speech (or face).
    /// <paramref name="talking"/>: the seat's own talk was heard since the last update (the zone tracker hears it as
    /// the dominant talker); only a wake word followed by talk is a command that can fail.
    /// </summary>
    public EscalationEvent? OnEmotion(string zone, in FusedEmotion emotion, double streamTime, bool talking = true)
    {
        var seat = SeatOf(zone);
        var dt = double.IsNegativeInfinity(seat.LastUpdate) ? 0 : Math.Max(0, streamTime - seat.LastUpdate);
        seat.LastUpdate = streamTime;
        if (talking && seat.PendingWake is { } wake && streamTime > wake) seat.SpokenAfterWake += dt;
        if (emotion.Known)
        {
            seat.LastArousal = emotion.Arousal;
            seat.LastAgitation = emotion.Agitation;
            seat.LastVoiceWeight = emotion.VoiceWeight;
            seat.LastFaceWeight = emotion.FaceWeight;
            seat.LastKnown = streamTime;
            // Only while the seat is actually heard or seen: an estimate held through a pause adds nothing.
            if (seat.AboveSince is not null && emotion.Observed) seat.Evidence += dt / SustainFor(emotion.Agitation);
            if (emotion.Agitation >= _options.AgitationEnter)
            {
                seat.AboveSince ??= streamTime;
                seat.PeakAgitation = Math.Max(seat.PeakAgitation, emotion.Agitation);
            }
            else if (emotion.Agitation < _options.AgitationExit)
            {
                EndEpisode(seat);
            }
        }
        else if (streamTime - seat.LastKnown > _options.MaxGapSeconds)
        {
            // Nothing seen or heard for too long: whatever was sustained is over.
            EndEpisode(seat);
        }

        var failure = CheckFailures(seat, streamTime);
        if (failure is not null) return failure;

        // The tolerance absorbs the rounding of summing many hops.
        if (emotion.Known && emotion.Observed && seat.AboveSince is { } since && seat.Evidence >= 1 - 1e-9 && EmotionTriggersAllowed(zone))
        {
            var severity = seat.PeakAgitation >= _options.HighAgitation ? High : Medium;
            var duration = streamTime - since;
            return Escalate(seat, streamTime, severity, "sustained-agitation", $"agitation above {_options.AgitationEnter:0.##} for {duration:0.#} s (peak {seat.PeakAgitation:0.##})",
                new EscalationEvidence
                {
                    Agitation = CabinEvent.Round(seat.LastAgitation),
                    PeakAgitation = CabinEvent.Round(seat.PeakAgitation),
                    Arousal = CabinEvent.Round(seat.LastArousal),
                    SustainedSeconds = CabinEvent.Round(duration),
                    VoiceWeight = CabinEvent.Round(seat.LastVoiceWeight),
                    FaceWeight = CabinEvent.Round(seat.LastFaceWeight),
                });
        }
        return null;
    }

    /// <summary>Seconds of agitation at this level that escalate: <see cref="EscalationOptions.SustainSeconds"/> at the entry threshold (and in the hysteresis band), shrinking linearly to <see cref="EscalationOptions.HighSustainSeconds"/> at <see cref="EscalationOptions.HighAgitation"/>.</summary>
    private double SustainFor(double agitation)
    {
        var span = _options.HighAgitation - _options.AgitationEnter;
        var strength = span <= 0 ? (agitation >= _options.HighAgitation ? 1 : 0) : Math.Clamp((agitation - _options.AgitationEnter) / span, 0, 1);
        return _options.SustainSeconds + (strength * (_options.HighSustainSeconds - _options.SustainSeconds));
    }

    private static void EndEpisode(Seat seat)
    {
        seat.AboveSince = null;
        seat.Evidence = 0;
        seat.PeakAgitation = 0;
    }

    private EscalationEvent? CheckFailures(Seat seat, double now)
    {
        if (seat.PendingWake is { } wake && now - wake >= _options.IntentWaitSeconds)
        {
            seat.PendingWake = null;
            // A wake word its seat did not follow with talk asked for nothing: in conversation the wake head
            // fires on chatter, leakage and the radio, and those must not add up to a frustrated occupant.
            if (seat.SpokenAfterWake >= _options.FailedCommandSpeechSeconds - 1e-9)
                seat.Failures.Enqueue((wake + _options.IntentWaitSeconds, seat.LastArousal));
        }
        while (seat.Failures.Count > 0 && now - seat.Failures.Peek().Time > _options.FailedCommandWindowSeconds) seat.Failures.Dequeue();
        if (seat.Failures.Count < _options.FailedCommands || !EmotionTriggersAllowed(seat.Zone)) return null;
        var rise = seat.LastArousal - seat.Failures.Peek().Arousal;
        if (rise < _options.ArousalRise) return null;
        var count = seat.Failures.Count;
        var result = Escalate(seat, now, Low, "failed-commands", $"{count} commands not understood within {_options.FailedCommandWindowSeconds:0} s while arousal rose",
            new EscalationEvidence
            {
                FailedCommands = count,
                ArousalRise = CabinEvent.Round(rise),
                Arousal = CabinEvent.Round(seat.LastArousal),
                Agitation = CabinEvent.Round(seat.LastAgitation),
                VoiceWeight = CabinEvent.Round(seat.LastVoiceWeight),
                FaceWeight = CabinEvent.Round(seat.LastFaceWeight),
            });
        if (result is not null) seat.Failures.Clear();
        return result;
    }

    private bool EmotionTriggersAllowed(string zone) =>
        _options.Enabled && (!_options.DriverOnly || string.Equals(zone, _options.DriverZone, StringComparison.Ordinal));

    private EscalationEvent? Escalate(Seat seat, double t, string severity, string trigger, string reason, EscalationEvidence evidence)
    {
        if (!_options.Enabled) return null;
        var rank = Rank(severity);
        if (t - seat.LastEscalation < _options.CooldownSeconds && rank <= seat.LastRank) return null;
        seat.LastEscalation = t;
        seat.LastRank = rank;
        // A sustained episode that escalated starts over: the next one must be sustained again.
        EndEpisode(seat);
        return new EscalationEvent(reason, seat.Zone, severity, CabinEvent.Round(t)) { Trigger = trigger, Evidence = evidence };
    }

    private static int Rank(string severity) => severity switch { Low => 0, Medium => 1, High => 2, _ => 3 };

    private Seat SeatOf(string zone)
    {
        if (!_seats.TryGetValue(zone, out var seat))
        {
            seat = new Seat(zone);
            _seats.Add(zone, seat);
        }
        return seat;
    }

    private sealed class Seat(string zone)
    {
        public string Zone { get; } = zone;

        public double? PendingWake;
        /// <summary>Seconds of the seat's own talk heard since <see cref="PendingWake"/>.</summary>
        public double SpokenAfterWake;
        public readonly Queue<(double Time, double Arousal)> Failures = new();
        public double? AboveSince;
        /// <summary>Fraction of the sustain the open episode has gathered (escalates at 1).</summary>
        public double Evidence;
        public double PeakAgitation;
        public double LastUpdate = double.NegativeInfinity;
        public double LastArousal = 0.5;
        public double LastAgitation;
        public double LastVoiceWeight;
        public double LastFaceWeight;
        public double LastKnown = double.NegativeInfinity;
        public double LastEscalation = double.NegativeInfinity;
        public int LastRank = -1;
    }
}
