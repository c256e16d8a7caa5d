namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>One set of model inputs representative of what the model sees in service.</summary>
public sealed record CalibrationSample(IReadOnlyList<CalibrationTensor> Inputs);

/// <summary>One float input tensor of a calibration sample (row-major).</summary>
public sealed record CalibrationTensor(string Name, float[] Data, long[] Shape);
