namespace StepAudio.Automotive.Inference;

/// <summary>Which version of a model that has an INT8 one (the speech embedding, the face nets) runs.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Int8 and Fp32 are the precisions' usual names in configuration")]
public enum ModelPrecision
{
    /// <summary>The static QDQ INT8 model made at <c>stepaudio models fetch</c> time.</summary>
    Int8,

    /// <summary>The pinned float model as published.</summary>
    Fp32,
}

/// <summary>Precision names as written on the command line.</summary>
public static class ModelPrecisions
{
    /// <summary><c>int8</c> or <c>fp32</c> (any case); anything else is a bad-input error naming <paramref name="source"/>.</summary>
    public static ModelPrecision Parse(string value, string source) => value.ToLowerInvariant() switch
    {
        "int8" => ModelPrecision.Int8,
        "fp32" => ModelPrecision.Fp32,
        _ => throw new InvalidInputException(source, $"'{value}' is not a precision (use int8 or fp32)"),
    };
}
