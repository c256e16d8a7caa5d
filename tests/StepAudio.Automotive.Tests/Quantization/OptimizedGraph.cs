using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Quantization;

/// <summary>What ONNX Runtime's CPU provider makes of a model: whether QDQ pairs fused into int8 kernels.</summary>
internal static class OptimizedGraph
{
    /// <summary>Operator counts after ONNX Runtime's graph optimisations (the optimized model is written beside the model).</summary>
    public static Dictionary<string, int> Ops(string model, ITestOutputHelper output)
    {
        var optimized = Path.Combine(Path.GetDirectoryName(model)!, Path.GetFileNameWithoutExtension(model) + ".optimized.onnx");
        using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(model, so))
        {
        }
        var ops = ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{Path.GetFileName(model)}: {string.Join(", ", ops.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        return ops;
    }
}
