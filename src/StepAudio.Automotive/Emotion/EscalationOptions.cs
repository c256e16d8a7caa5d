namespace StepAudio.Automotive.Emotion;

/// <summary>When an occupant is handed to a human (section <c>StepAudio:Escalation</c>); see the README.</summary>
public sealed class EscalationOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Intents that escalate at once, severity critical.</summary>
    public List<string> EmergencyIntents { get; set; } = ["assist.emergency"];

    /// <summary>Spotted keywords (lower case) that escalate at once, severity high.</summary>
    public List<string> DistressKeywords { get; set; } = ["help", "help me", "emergency", "call an ambulance", "call the police"];

    /// <summary>Agitation at or above which the sustained timer starts.</summary>
    public double AgitationEnter { get; set; } = 0.6;

    /// <summary>Agitation below which the timer resets (hysteresis: must be under <see cref="AgitationEnter"/>).</summary>
    public double AgitationExit { get; set; } = 0.35;

    /// <summary>Seconds agitation must stay above the threshold (N in the policy), at the threshold itself.</summary>
    public double SustainSeconds { get; set; } = 4;

    /// <summary>
    /// Seconds that suffice at <see cref="HighAgitation"/> or above: stronger evidence needs less time
    /// (linear in between). Equal to <see cref="SustainSeconds"/> restores a fixed sustain.
    /// </summary>
    public double HighSustainSeconds { get; set; } = 2;

    /// <summary>Agitation that makes a sustained escalation high instead of medium.</summary>
    public double HighAgitation { get; set; } = 0.85;

    /// <summary>Seconds without any modality (no speech, no face) the sustained timer holds before it resets.</summary>
    public double MaxGapSeconds { get; set; } = 2;

    /// <summary>A wake word with no intent within this many seconds is a failed command.</summary>
    public double IntentWaitSeconds { get; set; } = 5;

    /// <summary>
    /// A wake word counts as a failed command only if its seat's own talk was heard this long within
    /// <see cref="IntentWaitSeconds"/> after it (the command that was not understood); 0 counts every wake word.
    /// </summary>
    public double FailedCommandSpeechSeconds { get; set; } = 0.5;

    public int FailedCommands { get; set; } = 3;

    public double FailedCommandWindowSeconds { get; set; } = 60;

    /// <summary>Arousal must have risen this much since the first failure in the window.</summary>
    public double ArousalRise { get; set; } = 0.1;

    /// <summary>After an escalation a seat does not escalate again at the same or lower severity for this long.</summary>
    public double CooldownSeconds { get; set; } = 120;

    /// <summary>Emotion-based triggers (agitation, failed commands) only for the driver; explicit emergencies always.</summary>
    public bool DriverOnly { get; set; }

    public string DriverZone { get; set; } = "driver";

    public void Validate(string section = "StepAudio:Escalation")
    {
        if (!(AgitationEnter is > 0 and <= 1)) throw new InvalidInputException(section, $"AgitationEnter {AgitationEnter} must be in (0, 1]");
        if (!(AgitationExit >= 0 && AgitationExit < AgitationEnter)) throw new InvalidInputException(section, $"AgitationExit {AgitationExit} must be in [0, AgitationEnter)");
        if (!(SustainSeconds is >= 0.5 and <= 60)) throw new InvalidInputException(section, $"SustainSeconds {SustainSeconds} must be in [0.5, 60]");
        if (!(HighSustainSeconds >= 0.5 && HighSustainSeconds <= SustainSeconds)) throw new InvalidInputException(section, $"HighSustainSeconds {HighSustainSeconds} must be in [0.5, SustainSeconds]");
        if (!(HighAgitation >= AgitationEnter && HighAgitation <= 1)) throw new InvalidInputException(section, $"HighAgitation {HighAgitation} must be in [AgitationEnter, 1]");
        if (!(MaxGapSeconds >= 0)) throw new InvalidInputException(section, "MaxGapSeconds must be at least 0");
        if (!(IntentWaitSeconds > 0)) throw new InvalidInputException(section, "IntentWaitSeconds must be positive");
        if (!(FailedCommandSpeechSeconds >= 0 && FailedCommandSpeechSeconds <= IntentWaitSeconds))
            throw new InvalidInputException(section, $"FailedCommandSpeechSeconds {FailedCommandSpeechSeconds} must be in [0, IntentWaitSeconds]");
        if (FailedCommands is < 1 or > 20) throw new InvalidInputException(section, $"FailedCommands {FailedCommands} must be in [1, 20]");
        if (!(FailedCommandWindowSeconds > 0)) throw new InvalidInputException(section, "FailedCommandWindowSeconds must be positive");
        if (!(CooldownSeconds >= 0)) throw new InvalidInputException(section, "CooldownSeconds must be at least 0");
        if (string.IsNullOrWhiteSpace(DriverZone)) throw new InvalidInputException(section, "DriverZone is empty");
    }
}
