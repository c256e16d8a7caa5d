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
