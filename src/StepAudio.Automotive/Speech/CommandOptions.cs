namespace StepAudio.Automotive.Speech;

/// <summary>
/// The command stage (configuration section <c>StepAudio:Commands</c>): which command head runs in
/// every zone and how it decides. After a wake word or push-to-talk the zone listens for up to
/// <see cref="WindowSeconds"/>; an intent fires when one class keeps the head's top probability at or
/// above <see cref="Threshold"/> for <see cref="Patience"/> consecutive 80 ms steps.
/// </summary>
public sealed class CommandOptions
{
    /// <summary>Run the command head at all (it needs the speech stage, i.e. a wake head or push-to-talk).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A model id resolved by the model store (<c>commands-en</c>) or a path to a head .onnx; its labels are <c>&lt;name&gt;.labels.json</c> beside it.</summary>
    public string Model { get; set; } = "commands-en";

    /// <summary>Probability at or above which a step counts for the top non-none class.</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>Consecutive steps the same class must hold the threshold before the intent fires.</summary>
    public int Patience { get; set; } = 2;

    /// <summary>How long a zone listens for a command after a wake word or push-to-talk.</summary>
    public double WindowSeconds { get; set; } = 5.0;

    /// <summary>The problems with these settings, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(Model)) yield return $"{section}:Model: a model id or .onnx path is required (or set Enabled to false)";
        if (!(Threshold > 0 && Threshold <= 1)) yield return $"{section}:Threshold: {Threshold} must be in (0, 1]";
        if (Patience < 1) yield return $"{section}:Patience: {Patience} must be at least 1";
        if (!(WindowSeconds >= SpeechSteps.Seconds && WindowSeconds <= 30))
            yield return $"{section}:WindowSeconds: {WindowSeconds} must be between {SpeechSteps.Seconds} and 30";
    }
}
