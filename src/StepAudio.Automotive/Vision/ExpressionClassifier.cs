using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// face-api's expression net, converted to ONNX (<c>stepaudio models fetch</c>): seven probabilities for a
/// face crop, fed like face-api does after landmarks — the aligned box (<see cref="FaceLandmarks.AlignedBox"/>)
/// padded to a square and resized to 112 × 112.
/// </summary>
public sealed class ExpressionClassifier : IDisposable
{
    public const string WeightsId = "face_expression_weights";

    public const string ShardId = "face_expression_shard";

    public const string OnnxFileName = "face_expression.onnx";

    /// <summary>The net's output order.</summary>
    public static readonly string[] Labels = ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"];

    private const int Size = 112;

    private readonly OnnxModel _model;

    public ExpressionClassifier(string modelPath, InferenceOptions options) =>
        _model = new OnnxModel(modelPath, options, new Dictionary<string, long[]>
        {
            ["face"] = [1, 3, Size, Size],
            ["expressions"] = [1, Labels.Length],
        });

    public static string ConvertedPath(ModelStore store) => ConvertedModels.PathOf(store, WeightsId, OnnxFileName);

    public static string RequireModel(ModelStore store) => ConvertedModels.Require(store, WeightsId, ShardId, OnnxFileName, "the expression net");

    /// <summary>Where <c>models fetch</c> writes the INT8 QDQ version (beside the converted one).</summary>
    public static string Int8Path(ModelStore store) => ConvertedModels.Int8PathOf(store, WeightsId, OnnxFileName);

    /// <summary>The model to run at <paramref name="precision"/>: INT8 when quantized, else FP32 with a warning.</summary>
    public static string RequireModel(ModelStore store, ModelPrecision precision, ILogger? logger = null) =>
        ConvertedModels.Require(store, WeightsId, ShardId, OnnxFileName, "the expression net", precision, logger);

    /// <summary>The pre-processed tensor the last call fed the net (calibration samples for quantization).</summary>
    public ReadOnlySpan<float> PreparedInput => _model.Input("face").Floats;

    /// <summary>Writes the seven probabilities (in <see cref="Labels"/> order) for the face in <paramref name="box"/>; false if the box misses the image.</summary>
    public bool Classify(ReadOnlySpan<byte> pixels, int width, int height, int channels, FaceBox box, Span<float> probabilities)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (gray) or 3 (RGB)");
        if (pixels.Length < width * height * channels) throw new ArgumentException($"{width}x{height}x{channels} needs {width * height * channels} bytes", nameof(pixels));
        if (probabilities.Length < Labels.Length) throw new ArgumentException($"needs room for {Labels.Length} probabilities", nameof(probabilities));
        var crop = FaceCrop.Of(box, width, height);
        if (crop.IsEmpty) return false;
        crop.Sample(pixels, width, channels, _model.Input("face").Floats, Size);
        _model.Run();
        _model.Output("expressions").Floats[..Labels.Length].CopyTo(probabilities);
        return true;
    }

    public void Dispose() => _model.Dispose();
}
