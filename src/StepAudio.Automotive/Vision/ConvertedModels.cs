using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>Where the face-api nets converted at <c>models fetch</c> live: beside their pinned tfjs weights, never committed.</summary>
internal static class ConvertedModels
{
    public static string PathOf(ModelStore store, string weightsId, string onnxFileName) =>
        Path.Combine(Path.GetDirectoryName(store.PathOf(store.Manifest.File(weightsId)))!, onnxFileName);

    /// <summary>The converted model, after checking the weights it came from against their pins.</summary>
    public static string Require(ModelStore store, string weightsId, string shardId, string onnxFileName, string what)
    {
        store.Require(weightsId);
        store.Require(shardId);
        var path = PathOf(store, weightsId, onnxFileName);
        return File.Exists(path) ? path : throw new InvalidInputException(path, $"{what} has not been converted: run `stepaudio models fetch`");
    }
}
