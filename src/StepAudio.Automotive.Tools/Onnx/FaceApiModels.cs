using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// The fetch-time conversion of face-api's pinned tfjs weights into ONNX: the pins cover the inputs,
/// and the conversion is deterministic, so the output needs no pin of its own and is never committed.
/// </summary>
public static class FaceApiModels
{
    private static readonly (string WeightsId, string ShardId, string What, Func<ModelStore, string> Target, Action<string, string> Convert)[] Nets =
    [
        (TinyFaceDetector.WeightsId, TinyFaceDetector.ShardId, "the tiny face detector", TinyFaceDetector.ConvertedPath, TinyFaceDetectorConverter.Convert),
        (FaceLandmarker.WeightsId, FaceLandmarker.ShardId, "the 68-point tiny landmark net", FaceLandmarker.ConvertedPath, FaceFeatureNetConverter.ConvertLandmarks),
        (ExpressionClassifier.WeightsId, ExpressionClassifier.ShardId, "the expression net", ExpressionClassifier.ConvertedPath, FaceFeatureNetConverter.ConvertExpressions),
    ];

    /// <summary>Converts whatever face-api weights are installed and verified; returns the ONNX files written.</summary>
    public static IReadOnlyList<string> ConvertInstalled(ModelStore store, TextWriter log)
    {
        var written = new List<string>();
        foreach (var net in Nets)
        {
            if (!store.Manifest.Files.Any(f => f.Id == net.WeightsId)) continue;
            var weights = store.Check(store.Manifest.File(net.WeightsId));
            var shard = store.Check(store.Manifest.File(net.ShardId));
            if (!weights.Ok || !shard.Ok) continue;
            var onnx = net.Target(store);
            net.Convert(weights.Path, onnx);
            log.WriteLine($"{weights.File.Package.Spec}: converted {net.What} to {onnx}");
            written.Add(onnx);
        }
        return written;
    }
}
