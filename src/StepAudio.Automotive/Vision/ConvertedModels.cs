using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// Where the face-api nets converted at <c>models fetch</c> live: beside their pinned tfjs weights, never
/// committed; and their INT8 QDQ versions, quantized at the same time (<c>name.int8.onnx</c>).
/// </summary>
internal static class ConvertedModels
{
    public static string PathOf(ModelStore store, string weightsId, string onnxFileName) =>
        Path.Combine(Path.GetDirectoryName(store.PathOf(store.Manifest.File(weightsId)))!, onnxFileName);

    /// <summary>The INT8 file beside a converted one.</summary>
    public static string Int8PathOf(ModelStore store, string weightsId, string onnxFileName) =>
        Path.ChangeExtension(PathOf(store, weightsId, onnxFileName), ".int8.onnx");

    /// <summary>The converted model, after checking the weights it came from against their pins.</summary>
    public static string Require(ModelStore store, string weightsId, string shardId, string onnxFileName, string what)
    {
        store.Require(weightsId);
        store.Require(shardId);
        var path = PathOf(store, weightsId, onnxFileName);
        return File.Exists(path) ? path : throw new InvalidInputException(path, $"{what} has not been converted: run `stepaudio models fetch`");
    }

    /// <summary>
    /// The model to run at <paramref name="precision"/>: with <see cref="ModelPrecision.Int8"/> the INT8 file when it
    /// exists, else the float one with a warning naming the missing file (an image installed without `models fetch`).
    /// </summary>
    public static string Require(ModelStore store, string weightsId, string shardId, string onnxFileName, string what, ModelPrecision precision, ILogger? logger)
    {
        var fp32 = Require(store, weightsId, shardId, onnxFileName, what);
        if (precision != ModelPrecision.Int8) return fp32;
        var int8 = Int8PathOf(store, weightsId, onnxFileName);
        if (File.Exists(int8)) return int8;
        logger?.LogWarning("{Model}: the INT8 version of {What} is missing, running the FP32 one; `stepaudio models fetch` quantizes it", int8, what);
        return fp32;
    }
}
