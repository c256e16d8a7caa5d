namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// How to quantize: the calibration percentile of activation magnitudes (100 = max-abs) and the
/// nodes (by name) to leave in float.
/// </summary>
public sealed record QuantizationSettings(double Percentile = 100, IReadOnlySet<string>? KeepFloat = null);
