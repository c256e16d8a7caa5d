using System.Text.Json.Serialization;

namespace StepAudio.Automotive.Events;

/// <summary>
/// Something the pipeline decided. The JSON field names here are the event contract that
/// subscribers rely on: add fields freely, never rename these.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(WakeEvent), "wake")]
[JsonDerivedType(typeof(IntentEvent), "intent")]
[JsonDerivedType(typeof(EscalationEvent), "escalation")]
[JsonDerivedType(typeof(SpeechEvent), "speech")]
[JsonDerivedType(typeof(StatusEvent), "status")]
[JsonDerivedType(typeof(EmotionEvent), "emotion")]
[JsonDerivedType(typeof(VisualSpeechEvent), "visual-speech")]
public abstract record CabinEvent(
    [property: JsonPropertyOrder(100)] double StreamTime)
{
    /// <summary>Stream times and scores are written to the millisecond so replays compare as text.</summary>
    public static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    /// <summary>The event's zone, for routing and MQTT user properties; null when it concerns the whole cabin.</summary>
    [JsonIgnore]
    public virtual string? ZoneName => null;
}

/// <summary>A wake word fired in a zone.</summary>
public sealed record WakeEvent(string Keyword, string Zone, double Confidence, double StreamTime) : CabinEvent(StreamTime)
{
    [JsonIgnore]
    public override string? ZoneName => Zone;
}

/// <summary>A command understood in a zone, with its slot values.</summary>
public sealed record IntentEvent(
    string Intent,
    IReadOnlyDictionary<string, string> Slots,
    string Zone,
    double Confidence,
    double UtteranceStart,
    double UtteranceEnd,
    double StreamTime) : CabinEvent(StreamTime)
{
    [JsonIgnore]
    public override string? ZoneName => Zone;
}

/// <summary>A request for a human (concierge or emergency line) to take over.</summary>
public sealed record EscalationEvent(string Reason, string Zone, string Severity, double StreamTime) : CabinEvent(StreamTime)
{
    [JsonIgnore]
    public override string? ZoneName => Zone;

    /// <summary>Which rule fired: <c>emergency-intent</c>, <c>distress-keyword</c>, <c>sustained-agitation</c> or <c>failed-commands</c>.</summary>
    public string? Trigger { get; init; }

    /// <summary>Why, so the concierge sees it: the scores, durations and modality weights behind the decision.</summary>
    public EscalationEvidence? Evidence { get; init; }
}

/// <summary>The evidence behind an escalation; fields that do not apply to the trigger are null.</summary>
public sealed record EscalationEvidence
{
    public string? Intent { get; init; }

    public string? Keyword { get; init; }

    public double? Agitation { get; init; }

    public double? Arousal { get; init; }

    /// <summary>Highest agitation of the sustained episode (stronger agitation needs a shorter sustain).</summary>
    public double? PeakAgitation { get; init; }

    /// <summary>Seconds the agitation has stayed above the threshold.</summary>
    public double? SustainedSeconds { get; init; }

    /// <summary>Wake words without an understood command in the failure window.</summary>
    public int? FailedCommands { get; init; }

    /// <summary>Arousal now minus at the first failed command.</summary>
    public double? ArousalRise { get; init; }

    public double? VoiceWeight { get; init; }

    public double? FaceWeight { get; init; }

    /// <summary>The command head's probability for the intent behind an emergency-intent escalation.</summary>
    public double? Confidence { get; init; }
}

/// <summary>A zone's talker started (<see cref="End"/> null) or finished speaking.</summary>
public sealed record SpeechEvent(
    string Zone,
    double Start,
    double? End,
    double DoaAzimuthDeg,
    double DoaElevationDeg,
    double StreamTime) : CabinEvent(StreamTime)
{
    [JsonIgnore]
    public override string? ZoneName => Zone;
}

/// <summary>
/// A seat's mouth started (<see cref="End"/> null) or stopped moving as in speech, as the cabin camera sees
/// it; <see cref="Start"/> and <see cref="End"/> are the frames' stream times.
/// </summary>
public sealed record VisualSpeechEvent(string Zone, double Start, double? End, double StreamTime) : CabinEvent(StreamTime)
{
    [JsonIgnore]
    public override string? ZoneName => Zone;
}

/// <summary>The talker's apparent emotional state in a zone (e.g. calm, stressed, distressed).</summary>
public sealed record EmotionEvent(string Zone, string Label, double Confidence, double StreamTime) : CabinEvent(StreamTime)
{
    [JsonIgnore]
    public override string? ZoneName => Zone;

    /// <summary>0 subdued … 0.5 the talker's usual … 1 highly activated; null when no modality had an opinion.</summary>
    public double? Arousal { get; init; }

    /// <summary>-1 negative … 1 positive; only the face tells valence, so null without it.</summary>
    public double? Valence { get; init; }

    /// <summary>0 calm … 1 clearly angry or agitated.</summary>
    public double? Agitation { get; init; }

    /// <summary>What the voice contributed (null when it had no opinion).</summary>
    public EmotionModality? Voice { get; init; }

    /// <summary>What the face contributed (null when no face was seen).</summary>
    public EmotionModality? Face { get; init; }
}

/// <summary>One modality's part in a fused emotion estimate.</summary>
/// <param name="Weight">Normalised fusion weight (voice and face weights sum to 1).</param>
/// <param name="Reliability">The modality's own reliability before normalisation, 0 … 1.</param>
public sealed record EmotionModality(double Weight, double Reliability, double Arousal, double Agitation, double? Valence);

/// <summary>Health of the service's inputs and models.</summary>
public sealed record StatusEvent(
    string State,
    AudioInputStatus Audio,
    IReadOnlyList<string> Warnings,
    double StreamTime) : CabinEvent(StreamTime)
{
    /// <summary>Zones not being listened to (privacy mute), in profile order.</summary>
    public IReadOnlyList<string> MutedZones { get; init; } = [];

    /// <summary>The hardware privacy switch is on: every zone is muted.</summary>
    public bool PrivacySwitch { get; init; }

    /// <summary>The cabin camera as the pipeline sees it; null when running audio-only without one.</summary>
    public VideoInputStatus? Video { get; init; }

    /// <summary>How wake words are given a seat: <c>audio-visual</c> while the camera delivers and the vision stage runs, else <c>audio-only</c>.</summary>
    public string Attribution { get; init; } = "audio-only";

    /// <summary>Per watched seat, whether a face is seen; null without a vision stage.</summary>
    public IReadOnlyList<SeatVisionStatus>? Seats { get; init; }

    /// <summary>Loaded models and the execution provider each runs on (empty without a speech stage).</summary>
    public IReadOnlyList<ModelStatus> Models { get; init; } = [];

    /// <summary>Command windows and how they ended; null without a command head.</summary>
    public CommandStatus? Commands { get; init; }
}

/// <summary>One seat as the camera sees it.</summary>
public sealed record SeatVisionStatus(string Zone, bool Face);

/// <summary>Command windows opened (wake word or push-to-talk), ended in an intent, and ended without one (failed commands), since start.</summary>
public sealed record CommandStatus(long Windows, long Intents, long NoMatch);

/// <summary>One loaded model: its file, the execution provider it got, and why preferred ones were skipped.</summary>
public sealed record ModelStatus(string File, string Provider, string? Fallback);

/// <summary>The microphone input as the pipeline sees it.</summary>
public sealed record AudioInputStatus(
    string Source,
    string State,
    int Channels,
    int SampleRate,
    IReadOnlyList<int> DeadChannels,
    IReadOnlyList<int> ClippedChannels,
    long NonFiniteSamples,
    long Overruns);

/// <summary>The camera input: its nominal and measured rate, frames lost or out of order, and reopens after a loss.</summary>
public sealed record VideoInputStatus(
    string Source,
    string State,
    int Width,
    int Height,
    string PixelFormat,
    double FrameRate,
    long Frames,
    double MeasuredFps,
    long Dropped,
    long OutOfOrder,
    long TimestampJumps,
    long Reopened);
