using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// face-api's 68-point tiny landmark net, converted to ONNX (<c>stepaudio models fetch</c>), run through
/// <see cref="OnnxModel"/> on one face crop (<see cref="FaceCrop"/>, 112 × 112). The net answers in the padded
/// square's coordinates; they are mapped back to the crop and shifted by the detection box's corner, as
/// face-api does (it shifts by the unfloored box, so a landmark can sit up to a pixel off the floored crop).
/// </summary>
public sealed class FaceLandmarker : IDisposable
{
    public const string WeightsId = "face_landmark_68_tiny_weights";

    public const string ShardId = "face_landmark_68_tiny_shard";

    public const string OnnxFileName = "face_landmark_68_tiny.onnx";

    private const int Size = 112;

    private readonly OnnxModel _model;

    public FaceLandmarker(string modelPath, InferenceOptions options) =>
        _model = new OnnxModel(modelPath, options, new Dictionary<string, long[]>
        {
            ["face"] = [1, 3, Size, Size],
            ["landmarks"] = [1, 2 * FaceLandmarks.Count],
        });

    /// <summary>Where <c>models fetch</c> writes the converted net (beside its pinned weights).</summary>
    public static string ConvertedPath(ModelStore store) => ConvertedModels.PathOf(store, WeightsId, OnnxFileName);

    public static string RequireModel(ModelStore store) => ConvertedModels.Require(store, WeightsId, ShardId, OnnxFileName, "the landmark net");

    /// <summary>Where <c>models fetch</c> writes the INT8 QDQ version (beside the converted one).</summary>
    public static string Int8Path(ModelStore store) => ConvertedModels.Int8PathOf(store, WeightsId, OnnxFileName);

    /// <summary>The model to run at <paramref name="precision"/>: INT8 when quantized, else FP32 with a warning.</summary>
    public static string RequireModel(ModelStore store, ModelPrecision precision, ILogger? logger = null) =>
        ConvertedModels.Require(store, WeightsId, ShardId, OnnxFileName, "the landmark net", precision, logger);

    /// <summary>The pre-processed tensor the last call fed the net (calibration samples for quantization).</summary>
    public ReadOnlySpan<float> PreparedInput => _model.Input("face").Floats;

    /// <summary>Landmarks of the face in <paramref name="box"/> of an interleaved RGB (3 channels) or gray (1) image; false if the box misses the image.</summary>
    public bool Locate(ReadOnlySpan<byte> pixels, int width, int height, int channels, FaceBox box, FaceLandmarks landmarks)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (gray) or 3 (RGB)");
        if (pixels.Length < width * height * channels) throw new ArgumentException($"{width}x{height}x{channels} needs {width * height * channels} bytes", nameof(pixels));
        var crop = FaceCrop.Of(box, width, height);
        if (crop.IsEmpty) return false;
        crop.Sample(pixels, width, channels, _model.Input("face").Floats, Size);
        _model.Run();
        var o = _model.Output("landmarks").Floats;
        // face-api's postProcess: undo the centred padding of the square, in the resized crop's units.
        var scale = (double)Size / Math.Max(crop.Width, crop.Height);
        double sw = crop.Width * scale, sh = crop.Height * scale;
        var padX = sw < sh ? Math.Abs(sw - sh) / 2 : 0;
        var padY = sh < sw ? Math.Abs(sw - sh) / 2 : 0;
        for (var i = 0; i < FaceLandmarks.Count; i++)
        {
            var rx = ((o[2 * i] * Size) - padX) / sw;
            var ry = ((o[(2 * i) + 1] * Size) - padY) / sh;
            landmarks.Set(i, (rx * crop.Width) + box.X, (ry * crop.Height) + box.Y);
        }
        return true;
    }

    public void Dispose() => _model.Dispose();
}
