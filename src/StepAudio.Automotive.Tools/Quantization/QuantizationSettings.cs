namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// How to quantize: the calibration percentile of activation magnitudes (100 = max-abs), the nodes (by name)
/// to leave in float, and the activation format. <see cref="Uint8Activations"/>: asymmetric uint8 (zero point
/// where 0 falls, so a ReLU output uses all 256 levels; ONNX Runtime's x86 kernels are uint8 × int8 native, and
/// a ReLU before a uint8 Q with zero point 0 folds into the Q), every compute output quantized however many
/// nodes read it. <see cref="QuantizeAdds"/>: Q/DQ around the Adds of two activations too (QLinearAdd), so a
/// residual or dense block stays int8 end to end. <see cref="WeightMax"/>: the weights' largest level, 63
/// (7 bits, safe on AVX2, see <see cref="QdqQuantizer"/>) or 127.
/// </summary>
public sealed record QuantizationSettings(
    double Percentile = 100,
    IReadOnlySet<string>? KeepFloat = null,
    bool Uint8Activations = false,
    bool QuantizeAdds = false,
    float WeightMax = QdqQuantizer.SafeWeightMax);
