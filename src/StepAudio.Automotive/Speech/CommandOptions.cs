namespace StepAudio.Automotive.Speech;

/// <summary>
/// The command stage (configuration section <c>StepAudio:Commands</c>): which command head runs in
/// every zone and how it decides. After a wake word or push-to-talk the zone listens for up to
/// <see cref="WindowSeconds"/>. When the voice detector hears an utterance end, the head's
/// probabilities over its last step and the <see cref="EndSteps"/> quiet steps after it decide
/// (<see cref="CommandEndRule"/>: the best command at or above <see cref="Floor"/>). With
/// <see cref="Patience"/> above 0 an intent also fires early when one class keeps the head's top
/// probability at or above <see cref="Threshold"/> for that many consecutive 80 ms steps.
/// </summary>
public sealed class CommandOptions
{
    /// <summary>Default of <see cref="Floor"/>, tuned on held-out voices (models/trained/README.md).</summary>
    public const float DefaultFloor = 0.3f;

    /// <summary>Default of <see cref="EndSteps"/>: one quiet step after the last speech step keeps the latency p95 under 300 ms (HIL).</summary>
    public const int DefaultEndSteps = 1;

    /// <summary>Default of <see cref="SpeechProbability"/>: at 0.5 the voice detector's tail delays the end by ~130 ms (HIL p95 400 ms).</summary>
    public const float DefaultSpeechProbability = 0.8f;

    /// <summary>Default of <see cref="MinCommandSeconds"/>: five steps; the shortest held-out command ("call home", flite awb/rms) lasts 0.53 s.</summary>
    public const double DefaultMinCommandSeconds = 0.4;

    /// <summary>
    /// Default of <see cref="EscalationFloor"/>: just under the lowest mean (0.395) at which a held-out "i need
    /// help" / "call emergency services" was recognised (<c>train evaluate</c>); higher loses real emergencies.
    /// </summary>
    public const float DefaultEscalationFloor = 0.35f;

    /// <summary>Run the command head at all (it needs the speech stage, i.e. a wake head or push-to-talk).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A model id resolved by the model store (<c>commands-en</c>) or a path to a head .onnx; its labels are <c>&lt;name&gt;.labels.json</c> beside it.</summary>
    public string Model { get; set; } = "commands-en";

    /// <summary>Mean probability at the utterance's end at or above which the best command class fires (<see cref="CommandEndRule"/>).</summary>
    public float Floor { get; set; } = DefaultFloor;

    /// <summary>
    /// Shortest utterance that may be a command, from its first speech step (after a pause of
    /// <see cref="CommandEndRule.PauseSteps"/> quiet steps, or the window's opening) to its last; 0 for no gate.
    /// After a false wake word the rest of the sentence it fired in, or a word between two pauses, is
    /// shorter than any command.
    /// </summary>
    public double MinCommandSeconds { get; set; } = DefaultMinCommandSeconds;

    /// <summary>Floor for intents the grammar escalates to a human (<c>assist.emergency</c>), which also fire only at an utterance's end, never by the early rule: a false one calls the emergency line.</summary>
    public float EscalationFloor { get; set; } = DefaultEscalationFloor;

    /// <summary>Quiet 80 ms steps after the utterance's last speech step before the end decides (their probabilities are averaged with it).</summary>
    public int EndSteps { get; set; } = DefaultEndSteps;

    /// <summary>
    /// Default of <see cref="OtherVoiceSteps"/>: one step with another voice's evidence alone is common inside a command (the
    /// localizer's winner moves to a neighbour talking over it). HIL seeds 21 and 22, with and without the loudspeaker feeds
    /// (96 turns): 54 right with 1, 61 with 2, 60 with 3 (and p95 333 ms on seed 22).
    /// </summary>
    public const int DefaultOtherVoiceSteps = 2;

    /// <summary>
    /// Steps in a row in which the localizer gave the sound to another seat or a loudspeaker and none of it to
    /// this zone, after which the zone's talker has stopped whatever its voice detector still hears: a neighbour
    /// or the radio talking on past the command leaks into the zone's beam and kept its end (and the intent)
    /// waiting for theirs. 0: the voice detector alone.
    /// </summary>
    public int OtherVoiceSteps { get; set; } = DefaultOtherVoiceSteps;

    /// <summary>Voice-detector probability at or above which a 32 ms chunk is speech for the end rule: a step without such a chunk is quiet (higher ends sooner after the last word).</summary>
    public float SpeechProbability { get; set; } = DefaultSpeechProbability;

    /// <summary>Probability at or above which a step counts for the top non-none class (the early rule, before the end).</summary>
    public float Threshold { get; set; } = DefaultThreshold;

    /// <summary>
    /// Consecutive steps the same class must hold the threshold before an intent fires early, before the
    /// utterance's end; 0 for none (the end alone decides). Early firing matters when another seat keeps
    /// talking: its leakage into this zone's beam keeps the voice detector on past the command's end.
    /// </summary>
    public int Patience { get; set; } = DefaultPatience;

    /// <summary>Default of <see cref="Threshold"/>: high, so only a sure command fires before the end (HIL seeds 21 and 22: no false intents added).</summary>
    public const float DefaultThreshold = 0.9f;

    /// <summary>
    /// Default of <see cref="Patience"/>: two steps (160 ms) of a sure command. With three, a command spoken while
    /// the next seat talked on fired 356 ms after its end (HIL seed 21, p95 over 300 ms); two gave 276 ms, the same
    /// accuracy on seeds 21 and 22, and one false intent more in 30 minutes of calm talk (17 against 16).
    /// </summary>
    public const int DefaultPatience = 2;

    /// <summary>Value of <see cref="Recognizer"/>: the command head decides at the utterance's end (and by the early rule).</summary>
    public const string HeadRecognizer = "head";

    /// <summary>Value of <see cref="Recognizer"/>: the transcriber scores the grammar's phrases on the utterance's audio at its end (<see cref="CommandTranscriber"/>).</summary>
    public const string TranscriberRecognizer = "transcriber";

    /// <summary>Default of <see cref="MaxDeficit"/>, set on held-out voices between commands and chatter (README, Intents).</summary>
    public const float DefaultMaxDeficit = 1.6f;

    /// <summary>
    /// What decides the command at an utterance's end: <c>transcriber</c> (Moonshine tiny scoring every grammar
    /// phrase on the utterance's audio, the command head's probabilities at the end weighing in:
    /// <see cref="HeadWeight"/>, <see cref="HeadAgreement"/>) or <c>head</c> (the command head's probabilities alone).
    /// </summary>
    public string Recognizer { get; set; } = TranscriberRecognizer;

    /// <summary>Transcriber only: nats per token the best phrase may fall short of the unconstrained transcript and still be the command.</summary>
    public float MaxDeficit { get; set; } = DefaultMaxDeficit;

    /// <summary>Default of <see cref="EscalationMaxDeficit"/> (README, Intents: false escalations against recognised emergencies on held-out voices).</summary>
    public const float DefaultEscalationMaxDeficit = 1.1f;

    /// <summary>
    /// Transcriber only: <see cref="MaxDeficit"/> for a phrase whose intent escalates (<c>assist.emergency</c>). "I need help" is
    /// short, and a short phrase is what noisy talk that matches nothing resembles least badly.
    /// </summary>
    public float EscalationMaxDeficit { get; set; } = DefaultEscalationMaxDeficit;

    /// <summary>Default of <see cref="TalkDeficit"/>: above the held-out commands said over another talker, below most chatter (README, Intents).</summary>
    public const float DefaultTalkDeficit = 2.5f;

    /// <summary>
    /// Transcriber only: an utterance in a command window whose best phrase falls this far short (nats per token)
    /// is talk, not a command said badly: the wake word before it asked for nothing, so the escalation policy does
    /// not count the window as a failed command (<see cref="SpeechStage.TalkHeard"/>).
    /// </summary>
    public float TalkDeficit { get; set; } = DefaultTalkDeficit;

    /// <summary>Default of <see cref="HeadWeight"/>, set on held-out voices (README, Intents).</summary>
    public const float DefaultHeadWeight = 1.0f;

    /// <summary>
    /// Transcriber only: weight of the log of the command head's mean probability at the utterance's end, added
    /// to each phrase's log-likelihood under the transcriber; 0 for the transcriber alone. The head hears the
    /// whole cabin's training conditions, the transcriber hears words: in noise each breaks the other's near ties.
    /// </summary>
    public float HeadWeight { get; set; } = DefaultHeadWeight;

    /// <summary>Default of <see cref="HeadAgreement"/> (README, Intents).</summary>
    public const float DefaultHeadAgreement = 0.8f;

    /// <summary>Transcriber only: head probability for the best phrase at or above which the deficit limits grow by <see cref="AgreedExtraDeficit"/>.</summary>
    public float HeadAgreement { get; set; } = DefaultHeadAgreement;

    /// <summary>Default of <see cref="AgreedExtraDeficit"/> (README, Intents).</summary>
    public const float DefaultAgreedExtraDeficit = 1.0f;

    /// <summary>
    /// Transcriber only: nats per token added to <see cref="MaxDeficit"/> (and <see cref="EscalationMaxDeficit"/>) when
    /// the head agrees (<see cref="HeadAgreement"/>): a command said through noise that both models name is kept.
    /// </summary>
    public float AgreedExtraDeficit { get; set; } = DefaultAgreedExtraDeficit;

    /// <summary>Default of <see cref="EarlyAgreedExtraDeficit"/> (README, Intents).</summary>
    public const float DefaultEarlyAgreedExtraDeficit = 0.5f;

    /// <summary>
    /// Transcriber only: <see cref="AgreedExtraDeficit"/> for the early rule's check, on audio cut while the voice detector
    /// still hears talk (another seat's leakage running on past the command): a cut utterance resembles more phrases.
    /// </summary>
    public float EarlyAgreedExtraDeficit { get; set; } = DefaultEarlyAgreedExtraDeficit;

    /// <summary>How long a zone listens for a command after a wake word or push-to-talk.</summary>
    public double WindowSeconds { get; set; } = 5.0;

    /// <summary>The problems with these settings, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(Model)) yield return $"{section}:Model: a model id or .onnx path is required (or set Enabled to false)";
        if (!(Threshold > 0 && Threshold <= 1)) yield return $"{section}:Threshold: {Threshold} must be in (0, 1]";
        if (!(Floor > 0 && Floor <= 1)) yield return $"{section}:Floor: {Floor} must be in (0, 1]";
        if (!(EscalationFloor >= Floor && EscalationFloor <= 1)) yield return $"{section}:EscalationFloor: {EscalationFloor} must be in [Floor ({Floor}), 1]";
        if (!(MinCommandSeconds >= 0 && MinCommandSeconds <= 3)) yield return $"{section}:MinCommandSeconds: {MinCommandSeconds} must be between 0 (off) and 3";
        if (!(SpeechProbability > 0 && SpeechProbability < 1)) yield return $"{section}:SpeechProbability: {SpeechProbability} must be in (0, 1)";
        if (EndSteps is < 1 or > 10) yield return $"{section}:EndSteps: {EndSteps} must be between 1 and 10";
        if (OtherVoiceSteps is < 0 or > 10) yield return $"{section}:OtherVoiceSteps: {OtherVoiceSteps} must be between 0 (off) and 10";
        if (Recognizer is not (HeadRecognizer or TranscriberRecognizer)) yield return $"{section}:Recognizer: '{Recognizer}' must be {HeadRecognizer} or {TranscriberRecognizer}";
        if (!(MaxDeficit > 0 && MaxDeficit <= 10)) yield return $"{section}:MaxDeficit: {MaxDeficit} must be in (0, 10]";
        if (!(EscalationMaxDeficit > 0 && EscalationMaxDeficit <= MaxDeficit)) yield return $"{section}:EscalationMaxDeficit: {EscalationMaxDeficit} must be in (0, MaxDeficit ({MaxDeficit})]";
        if (!(TalkDeficit >= MaxDeficit && TalkDeficit <= 20)) yield return $"{section}:TalkDeficit: {TalkDeficit} must be in [MaxDeficit ({MaxDeficit}), 20]";
        if (!(HeadWeight >= 0 && HeadWeight <= 10)) yield return $"{section}:HeadWeight: {HeadWeight} must be between 0 (transcriber alone) and 10";
        if (!(HeadAgreement > 0 && HeadAgreement <= 1)) yield return $"{section}:HeadAgreement: {HeadAgreement} must be in (0, 1]";
        if (!(AgreedExtraDeficit >= 0 && AgreedExtraDeficit <= 10)) yield return $"{section}:AgreedExtraDeficit: {AgreedExtraDeficit} must be between 0 and 10";
        if (!(EarlyAgreedExtraDeficit >= 0 && EarlyAgreedExtraDeficit <= AgreedExtraDeficit)) yield return $"{section}:EarlyAgreedExtraDeficit: {EarlyAgreedExtraDeficit} must be in [0, AgreedExtraDeficit ({AgreedExtraDeficit})]";
        if (Patience < 0) yield return $"{section}:Patience: {Patience} must be 0 (no early intent) or more";
        if (!(WindowSeconds >= SpeechSteps.Seconds && WindowSeconds <= 30))
            yield return $"{section}:WindowSeconds: {WindowSeconds} must be between {SpeechSteps.Seconds} and 30";
    }
}
