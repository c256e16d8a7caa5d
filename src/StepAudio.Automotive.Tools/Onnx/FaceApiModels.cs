using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// The fetch-time conversion of face-api's pinned tfjs weights into ONNX: the pins cover the inputs,
/// and the conversion is deterministic, so the output needs no pin of its own and is never committed.
/// </summary>
public static class FaceApiModels
{
    /// <summary>Converts whatever face-api weights are installed and verified; returns the ONNX files written.</summary>
    public static IReadOnlyList<string> ConvertInstalled(ModelStore store, TextWriter log)
    {
        var written = new List<string>();
        if (!store.Manifest.Files.Any(f => f.Id == TinyFaceDetector.WeightsId)) return written;
        var weights = store.Check(store.Manifest.File(TinyFaceDetector.WeightsId));
        var shard = store.Check(store.Manifest.File(TinyFaceDetector.ShardId));
        if (!weights.Ok || !shard.Ok) return written;
        var onnx = TinyFaceDetector.ConvertedPath(store);
        TinyFaceDetectorConverter.Convert(weights.Path, onnx);
        log.WriteLine($"{weights.File.Package.Spec}: converted the tiny face detector to {onnx}");
        written.Add(onnx);
        return written;
    }
}
