using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// Configuration of a user-supplied lip-reading visual front end (none ships: the ones published are
/// trained on LRW/LRS, whose licences forbid commercial use). The model takes the seat's mouth-crop
/// sequence as one float tensor [1, 1, T, H, W] (batch, gray channel, time oldest first, rows, columns),
/// pixels normalised as (x / 255 − <see cref="Mean"/>) / <see cref="Std"/>, and returns one float tensor of
/// features (e.g. [1, T, 512] from a 3-D-conv + ResNet-18 front end).
/// </summary>
public sealed record LipReadingEncoderOptions
{
    /// <summary>The .onnx file.</summary>
    public required string Model { get; init; }

    public string InputName { get; init; } = "video";

    public string OutputName { get; init; } = "features";

    /// <summary>T: crops per inference (29 frames ≈ 1.16 s at 25 fps, LRW's clip length).</summary>
    public int Frames { get; init; } = 29;

    /// <summary>H = W of each crop.</summary>
    public int Size { get; init; } = 88;

    /// <summary>LRW's gray mean and standard deviation, what most published front ends were trained with.</summary>
    public float Mean { get; init; } = 0.421f;

    public float Std { get; init; } = 0.165f;

    /// <summary>The output's shape when the model leaves dimensions dynamic; null when the model fixes it.</summary>
    public long[]? OutputShape { get; init; }
}

/// <summary>Runs a <see cref="LipReadingEncoderOptions"/> model on a seat's <see cref="MouthCropSequence"/>, through <see cref="OnnxModel"/>.</summary>
public sealed class LipReadingEncoder : IDisposable
{
    private readonly OnnxModel _model;
    private readonly OnnxTensor _input;
    private readonly OnnxTensor _output;

    public LipReadingEncoder(LipReadingEncoderOptions options, InferenceOptions inference)
    {
        if (options.Frames < 1) throw new InvalidInputException("LipReading:Frames", $"{options.Frames} must be at least 1");
        if (options.Size < 8) throw new InvalidInputException("LipReading:Size", $"{options.Size} must be at least 8");
        if (!(options.Std > 0)) throw new InvalidInputException("LipReading:Std", $"{options.Std} must be positive");
        Options = options;
        var shapes = new Dictionary<string, long[]> { [options.InputName] = [1, 1, options.Frames, options.Size, options.Size] };
        if (options.OutputShape is not null) shapes[options.OutputName] = options.OutputShape;
        _model = new OnnxModel(options.Model, inference, shapes);
        _input = _model.Input(options.InputName);
        _output = _model.Output(options.OutputName);
    }

    public LipReadingEncoderOptions Options { get; }

    public IReadOnlyList<long> OutputShape => _output.Shape;

    /// <summary>Encodes the sequence; the features stay valid until the next call.</summary>
    public ReadOnlySpan<float> Encode(MouthCropSequence crops)
    {
        if (crops.Frames != Options.Frames || crops.Size != Options.Size)
            throw new ArgumentException($"the encoder takes {Options.Frames} crops of {Options.Size} px, the sequence has {crops.Frames} of {crops.Size}", nameof(crops));
        crops.CopyTo(_input.Floats, Options.Mean, Options.Std);
        _model.Run();
        return _output.Floats;
    }

    public void Dispose() => _model.Dispose();
}
