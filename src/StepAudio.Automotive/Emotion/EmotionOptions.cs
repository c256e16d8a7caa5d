namespace StepAudio.Automotive.Emotion;

/// <summary>The emotion stage (section <c>StepAudio:Emotion</c>); the escalation policy has its own section, <see cref="EscalationOptions"/>.</summary>
public sealed class EmotionOptions
{
    /// <summary>Run prosody, fusion and the escalation policy in the pipeline.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Prosody analysis of each zone's beam.</summary>
    public ProsodyOptions Prosody { get; set; } = new();

    public void Validate(string section = "StepAudio:Emotion") => Prosody.Validate(section + ":Prosody");
}
