using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// Quantizes the three converted face-api nets (tiny face detector, 68-point tiny landmark net, expression
/// net) to INT8 QDQ at <c>stepaudio models fetch</c> time, beside the converted FP32 files, calibrated on
/// <see cref="VisionCalibrationData"/> (generated cabin video in both shipped cabins' camera geometries, built
/// into the binary). The pins cover the weights, the photos and the conversion is deterministic, so the INT8
/// files need no pin of their own and are never committed.
/// </summary>
public static class VisionModelQuantization
{
    private static readonly string[] CalibrationCabins = ["sedan-console-circular", "sedan-headliner-linear"];

    /// <summary>
    /// The landmark and expression nets' settings, chosen with the vision bench's `int8-accuracy`: asymmetric uint8 activations
    /// and the dense blocks' Adds quantized too (ONNX Runtime then fuses every convolution but the first, and the
    /// Adds into QLinearAdd: the landmark and expression nets run faster than FP32), activation ranges at the 99.99th
    /// percentile, the first convolution (the 3-channel image; ONNX Runtime's int8 kernel is slower than its float
    /// one there) in float, 7-bit weights (right on AVX2 too; 8 bits moved the landmarks 0.1 % of the eye distance
    /// less on the demo photos).
    /// </summary>
    public static QuantizationSettings Settings { get; } = new(99.99, new HashSet<string>(StringComparer.Ordinal) { "Conv_2" }, Uint8Activations: true, QuantizeAdds: true);

    /// <summary>
    /// The detector's: as <see cref="Settings"/>, with its first depthwise convolution (Conv_5) and its last one
    /// (Conv_25, the output grid) in float as well. Their neighbours are max-pools, which ONNX Runtime runs in
    /// uint8 only in NHWC between int8 kernels; after the float first convolution, or before the float output,
    /// they fell to a slow generic uint8 kernel (the first: 2.6 ms of a 6.6 ms run at input 224). In float they
    /// run in the float kernels' blocked layout, and the detector is faster than FP32 instead of twice as slow.
    /// Ranges at the 99.999th percentile: at 99.99 the stage's operating setting found 75 of 81 faces (FP32 78),
    /// at 99.999 79 of 80; max-abs lost more (README, INT8 face nets).
    /// </summary>
    public static QuantizationSettings DetectorSettings { get; } = Settings with { Percentile = 99.999, KeepFloat = new HashSet<string>(StringComparer.Ordinal) { "Conv_2", "Conv_5", "Conv_25" } };

    /// <summary>The camera geometries of the cabin profiles built into the binary.</summary>
    public static IReadOnlyList<CabinCamera> BuiltInCameras() =>
        [.. CalibrationCabins.Select(name =>
        {
            var resource = $"StepAudio.Automotive.Tools.Quantization.{name}.json";
            using var stream = typeof(VisionModelQuantization).Assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"the built-in cabin profile {resource} is missing from the assembly");
            using var reader = new StreamReader(stream);
            return CabinProfileReader.Parse(reader.ReadToEnd(), name).Camera!;
        })];

    /// <summary>
    /// Writes the three INT8 nets beside the converted ones; nothing when the nets or the demo photos are not
    /// installed. Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> QuantizeInstalled(ModelStore store, TextWriter log)
    {
        var needed = new[] { TinyFaceDetector.WeightsId, FaceLandmarker.WeightsId, ExpressionClassifier.WeightsId }
            .Concat(Tools.Vision.CabinVideoGenerator.DemoPhotos).ToList();
        if (!needed.All(id => store.Manifest.Files.Any(f => f.Id == id) && store.Check(store.Manifest.File(id)).Ok)) return [];
        if (!File.Exists(TinyFaceDetector.ConvertedPath(store)) || !File.Exists(FaceLandmarker.ConvertedPath(store)) || !File.Exists(ExpressionClassifier.ConvertedPath(store)))
            return [];
        var samples = VisionCalibrationData.For(store, BuiltInCameras(), new VisionOptions().DetectorInputSize);
        var nets = new (string Fp32, string Int8, IReadOnlyList<CalibrationSample> Samples, QuantizationSettings Settings, string What)[]
        {
            (TinyFaceDetector.RequireModel(store), TinyFaceDetector.Int8Path(store), samples.Detector, DetectorSettings, "the tiny face detector"),
            (FaceLandmarker.RequireModel(store), FaceLandmarker.Int8Path(store), samples.Landmarks, Settings, "the landmark net"),
            (ExpressionClassifier.RequireModel(store), ExpressionClassifier.Int8Path(store), samples.Expressions, Settings, "the expression net"),
        };
        var written = new List<string>();
        foreach (var net in nets)
        {
            var summary = QdqQuantizer.QuantizeFile(net.Fp32, net.Samples, net.Int8, net.Settings);
            log.WriteLine($"{net.What}: quantized to INT8 {net.Int8} ({summary})");
            written.Add(net.Int8);
        }
        return written;
    }
}
