namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>What one quantization did: quantized weights, calibrated activations, samples, sizes before and after.</summary>
public sealed record QuantizationSummary(int Weights, int Activations, int Samples, long Fp32Bytes, long Int8Bytes)
{
    public override string ToString() =>
        $"{Weights} weight tensors per-channel int8, {Activations} activations calibrated on {Samples} samples, {Fp32Bytes / 1024.0:0} KiB → {Int8Bytes / 1024.0:0} KiB";
}
