using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>A face found in an image, in that image's pixels, with the detector's confidence.</summary>
public readonly record struct FaceBox(double X, double Y, double Width, double Height, double Score)
{
    public double Right => X + Width;
    public double Bottom => Y + Height;
    public double Area => Width * Height;

    public double IntersectionOverUnion(FaceBox other)
    {
        var w = Math.Max(0, Math.Min(Right, other.Right) - Math.Max(X, other.X));
        var h = Math.Max(0, Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y));
        var inter = w * h;
        return inter / (Area + other.Area - inter);
    }
}

/// <summary>
/// face-api's tiny face detector, converted to ONNX (<c>stepaudio models fetch</c>), run through
/// <see cref="OnnxModel"/>. Pre- and post-processing follow the reference implementation exactly: the
/// image is zero-padded at the bottom/right to a square, resized bilinearly (TensorFlow's legacy,
/// corner-aligned-at-zero sampling) to the input size, and the 13×13×5 anchor grid is decoded with
/// sigmoid/exp and the reference anchors, then non-maximum suppression at IoU 0.4.
/// </summary>
public sealed class TinyFaceDetector : IDisposable
{
    /// <summary>The pinned tfjs weights manifest (and <see cref="ShardId"/>) that <c>models fetch</c> converts.</summary>
    public const string WeightsId = "tiny_face_detector_weights";

    public const string ShardId = "tiny_face_detector_shard";

    /// <summary>The converted model's file name, written beside the pinned weights.</summary>
    public const string OnnxFileName = "tiny_face_detector.onnx";

    private static readonly (double W, double H)[] Anchors =
        [(1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061), (4.266906, 5.178857), (9.041765, 10.66308)];

    private const double IouThreshold = 0.4;

    private readonly OnnxModel _model;
    private readonly int _cells;
    private readonly List<FaceBox> _candidates = [];

    /// <param name="inputSize">Network input side, a multiple of 32 (face-api's default is 416).</param>
    public TinyFaceDetector(string modelPath, InferenceOptions options, int inputSize = 416)
    {
        if (inputSize % 32 != 0 || inputSize < 64) throw new InvalidInputException("inputSize", $"{inputSize} is not a multiple of 32 of at least 64");
        InputSize = inputSize;
        _cells = inputSize / 32;
        _model = new OnnxModel(modelPath, options, new Dictionary<string, long[]>
        {
            ["image"] = [1, 3, inputSize, inputSize],
            ["grid"] = [1, Anchors.Length * 5, _cells, _cells],
        });
    }

    public int InputSize { get; }

    /// <summary>Where <c>models fetch</c> writes the converted detector (beside its pinned weights).</summary>
    public static string ConvertedPath(ModelStore store) => ConvertedModels.PathOf(store, WeightsId, OnnxFileName);

    /// <summary>The converted detector, after checking the weights it came from against their pins.</summary>
    public static string RequireModel(ModelStore store) => ConvertedModels.Require(store, WeightsId, ShardId, OnnxFileName, "the face detector");

    /// <summary>Where <c>models fetch</c> writes the INT8 QDQ version (beside the converted one).</summary>
    public static string Int8Path(ModelStore store) => ConvertedModels.Int8PathOf(store, WeightsId, OnnxFileName);

    /// <summary>The model to run at <paramref name="precision"/>: INT8 when quantized, else FP32 with a warning.</summary>
    public static string RequireModel(ModelStore store, ModelPrecision precision, ILogger? logger = null) =>
        ConvertedModels.Require(store, WeightsId, ShardId, OnnxFileName, "the face detector", precision, logger);

    /// <summary>The pre-processed tensor the last call fed the net (calibration samples for quantization).</summary>
    public ReadOnlySpan<float> PreparedInput => _model.Input("image").Floats;

    /// <summary>Faces with a score above <paramref name="scoreThreshold"/> in an interleaved RGB image, best first.</summary>
    public void Detect(ReadOnlySpan<byte> rgb, int width, int height, List<FaceBox> faces, double scoreThreshold = 0.5)
    {
        if (rgb.Length < width * height * 3) throw new ArgumentException($"{width}x{height} RGB needs {width * height * 3} bytes", nameof(rgb));
        Prepare(rgb, width, height, 3);
        Decode(width, height, faces, scoreThreshold);
    }

    /// <summary>The same on 8-bit gray (an IR camera frame): the gray level is fed as R = G = B.</summary>
    public void DetectGray(ReadOnlySpan<byte> luma, int width, int height, List<FaceBox> faces, double scoreThreshold = 0.5)
    {
        if (luma.Length < width * height) throw new ArgumentException($"{width}x{height} gray needs {width * height} bytes", nameof(luma));
        Prepare(luma, width, height, 1);
        Decode(width, height, faces, scoreThreshold);
    }

    /// <summary>Pad to a square at the bottom/right with zeros, then resize like tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false).</summary>
    private void Prepare(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        var side = Math.Max(width, height);
        var s = InputSize;
        var input = _model.Input("image").Floats;
        var plane = s * s;
        var scale = (double)side / s;
        for (var y = 0; y < s; y++)
        {
            var sy = y * scale;
            var y0 = (int)Math.Floor(sy);
            var y1 = Math.Min(y0 + 1, side - 1);
            var fy = sy - y0;
            for (var x = 0; x < s; x++)
            {
                var sx = x * scale;
                var x0 = (int)Math.Floor(sx);
                var x1 = Math.Min(x0 + 1, side - 1);
                var fx = sx - x0;
                for (var c = 0; c < 3; c++)
                {
                    var cc = channels == 1 ? 0 : c;
                    double tl = At(pixels, width, height, channels, x0, y0, cc), tr = At(pixels, width, height, channels, x1, y0, cc);
                    double bl = At(pixels, width, height, channels, x0, y1, cc), br = At(pixels, width, height, channels, x1, y1, cc);
                    var top = tl + ((tr - tl) * fx);
                    var bottom = bl + ((br - bl) * fx);
                    input[(c * plane) + (y * s) + x] = (float)(top + ((bottom - top) * fy));
                }
            }
        }
    }

    private static byte At(ReadOnlySpan<byte> pixels, int width, int height, int channels, int x, int y, int c) =>
        x < width && y < height ? pixels[(((y * width) + x) * channels) + c] : (byte)0;

    private void Decode(int width, int height, List<FaceBox> faces, double scoreThreshold)
    {
        _model.Run();
        var grid = _model.Output("grid").Floats;
        var n = _cells;
        var cellPlane = n * n;
        // The image filled this much of the square input (face-api rounds it the same way).
        var scale = (double)InputSize / Math.Max(width, height);
        var corrX = InputSize / Math.Round(width * scale);
        var corrY = InputSize / Math.Round(height * scale);
        _candidates.Clear();
        for (var row = 0; row < n; row++)
            for (var col = 0; col < n; col++)
                for (var a = 0; a < Anchors.Length; a++)
                {
                    // Channel anchor × 5 + k holds (x, y, w, h, score)[k] of this cell.
                    var at = (a * 5 * cellPlane) + (row * n) + col;
                    var score = Sigmoid(grid[at + (4 * cellPlane)]);
                    if (score <= scoreThreshold) continue;
                    var cx = (col + Sigmoid(grid[at])) / n * corrX;
                    var cy = (row + Sigmoid(grid[at + cellPlane])) / n * corrY;
                    var w = Math.Exp(grid[at + (2 * cellPlane)]) * Anchors[a].W / n * corrX;
                    var h = Math.Exp(grid[at + (3 * cellPlane)]) * Anchors[a].H / n * corrY;
                    _candidates.Add(new FaceBox((cx - (w / 2)) * width, (cy - (h / 2)) * height, w * width, h * height, score));
                }
        // Non-maximum suppression, best score first.
        _candidates.Sort((p, q) => q.Score.CompareTo(p.Score));
        faces.Clear();
        foreach (var c in _candidates)
        {
            var keep = true;
            foreach (var f in faces)
                if (Relative(c, width, height).IntersectionOverUnion(Relative(f, width, height)) > IouThreshold)
                {
                    keep = false;
                    break;
                }
            if (keep) faces.Add(c);
        }
    }

    // face-api compares boxes relative to the image, which changes IoU when the image is not square.
    private static FaceBox Relative(FaceBox b, int width, int height) => new(b.X / width, b.Y / height, b.Width / width, b.Height / height, b.Score);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public void Dispose() => _model.Dispose();
}
