namespace StepAudio.Automotive.Emotion;

/// <summary>
/// An optional speech-emotion classifier (section <c>StepAudio:Emotion:Model</c>): an ONNX model
/// that takes the zone's last <see cref="WindowSamples"/> of 16 kHz audio (input shape
/// <c>[1, WindowSamples]</c>, float, -1 … 1) or, with <see cref="InputIsEmbeddings"/>, the zone's
/// speech embeddings (<c>[1, frames, dim]</c>), and outputs class probabilities <c>[1, Labels.Count]</c>.
/// </summary>
public sealed class SpeechEmotionModelOptions
{
    /// <summary>The .onnx file; null means no model (prosody only).</summary>
    public string? Path { get; set; }

    public string InputName { get; set; } = "audio";

    public string OutputName { get; set; } = "probabilities";

    /// <summary>Input samples (2 s at 16 kHz by default).</summary>
    public int WindowSamples { get; set; } = 32_000;

    /// <summary>Feed embeddings instead of audio; the input shape is then taken from the model.</summary>
    public bool InputIsEmbeddings { get; set; }

    /// <summary>The model's classes in output order.</summary>
    public List<string> Labels { get; set; } = ["neutral", "happy", "sad", "angry"];

    /// <summary>Classes whose probability is agitation.</summary>
    public List<string> AgitatedLabels { get; set; } = ["angry"];

    /// <summary>Classes that mean high arousal (used with the agitated ones for the arousal score).</summary>
    public List<string> ArousedLabels { get; set; } = ["angry", "happy", "fear", "surprise"];

    /// <summary>How much of the voice estimate the model takes over from prosody (0 … 1).</summary>
    public double Weight { get; set; } = 0.7;

    /// <summary>Seconds between classifications (the model need not run every hop).</summary>
    public double IntervalSeconds { get; set; } = 0.5;

    public void Validate(string section = "StepAudio:Emotion:Model")
    {
        if (Path is null) return;
        if (Labels.Count < 2) throw new InvalidInputException(section, "Labels needs at least two classes");
        if (Labels.Distinct(StringComparer.Ordinal).Count() != Labels.Count) throw new InvalidInputException(section, "Labels has duplicates");
        foreach (var l in AgitatedLabels)
            if (!Labels.Contains(l, StringComparer.Ordinal))
                throw new InvalidInputException(section, $"AgitatedLabels names '{l}', which is not in Labels");
        if (WindowSamples is < 1600 or > 160_000) throw new InvalidInputException(section, $"WindowSamples {WindowSamples} must be in [1600, 160000]");
        if (!(Weight is >= 0 and <= 1)) throw new InvalidInputException(section, $"Weight {Weight} must be in [0, 1]");
        if (!(IntervalSeconds > 0)) throw new InvalidInputException(section, "IntervalSeconds must be positive");
    }
}
