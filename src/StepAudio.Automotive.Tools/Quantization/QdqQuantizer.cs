using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// Static INT8 quantization in the QDQ format: every Conv, MatMul and Gemm gets its activation input
/// and its output wrapped in a QuantizeLinear → DequantizeLinear pair (int8, zero point 0, one
/// scale per tensor from calibration), its weight stored as int8 with one symmetric scale per output
/// channel, and its bias as int32 at input scale × weight scale. ONNX Runtime's CPU provider fuses
/// DQ → op → Q into QLinearConv / QGemm / QLinearMatMul; TensorRT reads the same graph as explicit
/// quantization (it wants symmetric scales, zero point 0). Everything else stays float.
/// </summary>
public static class QdqQuantizer
{
    /// <summary>The operators quantized; their weights must be float initializers.</summary>
    public static readonly IReadOnlySet<string> ComputeOps = new HashSet<string>(StringComparer.Ordinal) { "Conv", "MatMul", "Gemm" };

    /// <summary>QDQ with per-channel scales (the axis attribute) needs opset 13.</summary>
    public const long MinimumOpset = 13;

    private const float Int8Max = 127f;

    /// <summary>
    /// Weights use 7 bits (±63). x86 CPUs without VNNI (AVX2 only) multiply uint8 activations (ONNX Runtime shifts
    /// int8 ones by 128) by int8 weights with vpmaddubsw, which saturates at 16 bits when two products of a pair
    /// add past 32767: with ±127 weights a net was 15 % off its float self on such a CPU and fine on one with
    /// VNNI. 255 × 63 × 2 = 32 130 cannot saturate, so the file made at fetch is right on every CPU; TensorRT and
    /// ARM's dot-product kernels read it as the int8 it is, one bit of weight precision the poorer.
    /// </summary>
    public const float SafeWeightMax = 63f;

    /// <summary>Reads an ONNX model; a missing, corrupt or unsupported file is an error naming it.</summary>
    public static ModelProto Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot read the model ({e.Message})");
        }
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidInputException(path, $"not an ONNX model: the protobuf does not parse ({e.Message})");
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidInputException(path, "not an ONNX model: it has no graph");
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
        if (opset < MinimumOpset)
            throw new InvalidInputException(path, $"opset {opset} is too old for per-channel QDQ quantization (needs {MinimumOpset} or newer)");
        if (model.Graph.Node.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear"))
            throw new InvalidInputException(path, "the model is already quantized (it has QuantizeLinear/DequantizeLinear nodes)");
        if (model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
            throw new InvalidInputException(path, "initializers in external data files are not supported");
        return model;
    }

    /// <summary>
    /// The activation tensors whose ranges calibration must measure: the activation inputs and the
    /// outputs of every quantizable node. Empty means the model has nothing to quantize.
    /// </summary>
    public static IReadOnlyList<string> ActivationsToCalibrate(ModelProto model, IReadOnlySet<string>? keepFloat = null) =>
        ActivationsToCalibrate(model, new QuantizationSettings(KeepFloat: keepFloat));

    /// <inheritdoc cref="ActivationsToCalibrate(ModelProto, IReadOnlySet{string}?)"/>
    public static IReadOnlyList<string> ActivationsToCalibrate(ModelProto model, QuantizationSettings settings)
    {
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var constants = ConstantOutputs(model.Graph);
        var readers = Readers(model.Graph);
        var tensors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node.Where(n => settings.KeepFloat?.Contains(n.Name) != true))
        {
            if (Plan(node, initializers, constants, readers, settings) is not { } plan) continue;
            foreach (var t in plan.Tensors)
                if (!constants.Contains(t) && !initializers.ContainsKey(t) && seen.Add(t)) tensors.Add(t);
        }
        return tensors;
    }

    /// <summary>
    /// The quantized model. <paramref name="maxAbs"/> holds each calibrated activation's largest
    /// magnitude; a node whose activations were not calibrated, or named in <paramref name="keepFloat"/>, stays float.
    /// </summary>
    public static ModelProto Quantize(ModelProto source, IReadOnlyDictionary<string, float> maxAbs, string modelName, IReadOnlySet<string>? keepFloat = null) =>
        Quantize(source, SymmetricRanges(maxAbs), modelName, new QuantizationSettings(KeepFloat: keepFloat));

    /// <summary>
    /// The quantized model. <paramref name="ranges"/> holds each calibrated activation's range (symmetric
    /// int8 uses its larger magnitude); a node whose activations were not calibrated, or named in the settings'
    /// KeepFloat, stays float.
    /// </summary>
    public static ModelProto Quantize(ModelProto source, IReadOnlyDictionary<string, (float Min, float Max)> ranges, string modelName, QuantizationSettings settings)
    {
        var model = source.Clone();
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var constants = ConstantOutputs(graph);
        var names = new UniqueNames(graph);
        var readers = Readers(graph);
        var weightNodes = new List<NodeProto>();
        var activationScales = new Dictionary<string, ActivationScale>(StringComparer.Ordinal);
        var quantizedWeights = new Dictionary<string, (string Output, float[] Scales)>(StringComparer.Ordinal);
        var quantizedNodes = 0;
        var used = new HashSet<string>(StringComparer.Ordinal); // activations of the quantized nodes

        // Activation scales first: a node is quantized only if all its activations have one.
        foreach (var (tensor, range) in ranges)
            activationScales[tensor] = AddActivationScale(graph, names, tensor, range, settings.Uint8Activations);

        foreach (var node in graph.Node.Where(n => settings.KeepFloat?.Contains(n.Name) != true).ToList())
        {
            if (Plan(node, initializers, constants, readers, settings) is not { } plan) continue;
            if (!plan.Tensors.All(activationScales.ContainsKey)) continue;

            if (plan.Weight is { } weightName)
            {
                if (!quantizedWeights.TryGetValue($"{weightName}@{plan.WeightAxis}", out var weight))
                {
                    weight = QuantizeWeight(graph, names, initializers[weightName], plan.WeightAxis, settings.WeightMax, weightNodes);
                    quantizedWeights[$"{weightName}@{plan.WeightAxis}"] = weight;
                }
                node.Input[plan.WeightIndex] = weight.Output;
                if (plan.Bias is { } bias && plan.Activations.Count == 1)
                    node.Input[2] = QuantizeBias(graph, names, initializers[bias], activationScales[plan.Activations[0]].Value, weight.Scales, weightNodes);
            }
            used.UnionWith(plan.Tensors);
            quantizedNodes++;
        }
        if (quantizedNodes == 0)
            throw new InvalidInputException(modelName, $"nothing to quantize: no {string.Join("/", ComputeOps)} node with float initializer weights and calibrated activations");

        // Q → DQ after each calibrated activation's producer (graph inputs: at the start); consumers read the DQ.
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodes = new List<NodeProto>(weightNodes);
        foreach (var input in graph.Input.Where(i => used.Contains(i.Name)))
            nodes.AddRange(ActivationPair(names, input.Name, activationScales[input.Name], dequantized));
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
                if (dequantized.TryGetValue(node.Input[i], out var dq)) node.Input[i] = dq;
            nodes.Add(node);
            foreach (var output in node.Output.Where(used.Contains))
                nodes.AddRange(ActivationPair(names, output, activationScales[output], dequantized));
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);

        // Drop the float weights nothing reads any more, and the scales of activations left float.
        var read = AllInputs(graph).ToHashSet(StringComparer.Ordinal);
        var unused = graph.Initializer.Where(t => !read.Contains(t.Name)).ToList();
        foreach (var t in unused) graph.Initializer.Remove(t);

        model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = "stepaudio.quantization",
            Value = $"static QDQ: {(settings.Uint8Activations ? "asymmetric uint8 activations" : "symmetric int8 activations (zero point 0)")} at the {settings.Percentile} percentile{(settings.QuantizeAdds ? ", Adds included" : "")}, per-channel symmetric int8 weights (±{settings.WeightMax}), int32 bias; {quantizedNodes} node(s)",
        });
        return model;
    }

    /// <summary>
    /// Calibrates <paramref name="modelPath"/> on <paramref name="samples"/> in ONNX Runtime, quantizes it and
    /// writes it to <paramref name="outPath"/>; returns what was done, for the log.
    /// </summary>
    public static QuantizationSummary QuantizeFile(string modelPath, IReadOnlyList<CalibrationSample> samples, string outPath, QuantizationSettings settings)
    {
        var model = Load(modelPath);
        var tensors = ActivationsToCalibrate(model, settings);
        if (tensors.Count == 0)
            throw new InvalidInputException(modelPath, $"nothing to quantize: no {string.Join("/", ComputeOps)} node with float initializer weights");
        var ranges = settings.Uint8Activations
            ? ActivationCalibrator.SignedRanges(model, tensors, samples, modelPath, settings.Percentile)
            : SymmetricRanges(ActivationCalibrator.Ranges(model, tensors, samples, modelPath, settings.Percentile));
        var quantized = Quantize(model, ranges, modelPath, settings);
        Save(quantized, outPath);
        return new QuantizationSummary(
            quantized.Graph.Initializer.Count(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && t.Dims.Count >= 2),
            tensors.Count, samples.Count, new FileInfo(modelPath).Length, new FileInfo(outPath).Length);
    }

    /// <summary>Writes the model through a temporary file, so a reader never sees half of it.</summary>
    public static void Save(ModelProto model, string path)
    {
        var temp = path + ".partial";
        using (var stream = File.Create(temp)) model.WriteTo(stream);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Symmetric int8: the largest magnitude maps to 127. A tensor that is always zero (the landmark net has a dead
    /// depthwise filter) is scaled as if its range were 1: its zeros stay exact, and the next node's bias, quantized
    /// at input scale × weight scale, keeps its precision (at scale 1 it was rounded to whole weight steps, i.e. lost).
    /// </summary>
    public static float ScaleOf(float maxAbs) => maxAbs > 0 && float.IsFinite(maxAbs) ? maxAbs / Int8Max : 1f / Int8Max;

    /// <summary>Each activation's largest magnitude as the range [−m, m].</summary>
    private static Dictionary<string, (float Min, float Max)> SymmetricRanges(IReadOnlyDictionary<string, float> maxAbs) =>
        maxAbs.ToDictionary(p => p.Key, p => (-p.Value, p.Value), StringComparer.Ordinal);

    /// <summary>The outputs of the graph's Constant nodes (values, not activations).</summary>
    private static HashSet<string> ConstantOutputs(GraphProto graph) =>
        graph.Node.Where(n => n.OpType == "Constant").SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);

    /// <summary>Which inputs of a node are activations, weight and bias; null when the node is not quantizable.</summary>
    private static NodePlan? Plan(NodeProto node, Dictionary<string, TensorProto> initializers, HashSet<string> constants, TensorReaders readers, QuantizationSettings settings)
    {
        if (settings.QuantizeAdds && node.OpType == "Add" && node.Input.Count == 2 && node.Output.Count == 1
            && node.Input.All(i => !initializers.ContainsKey(i) && !constants.Contains(i)))
            return new NodePlan([node.Input[0], node.Input[1]], null, 0, 0, null, OutputToQuantize(node, readers, settings));
        if (!ComputeOps.Contains(node.OpType) || node.Input.Count < 2 || node.Output.Count < 1) return null;
        if (!initializers.TryGetValue(node.Input[1], out var w) || w.DataType != (int)TensorProto.Types.DataType.Float || w.Dims.Count < 2)
            return null;
        if (initializers.ContainsKey(node.Input[0])) return null;
        int axis;
        switch (node.OpType)
        {
            case "Conv":
                axis = 0;
                break;
            case "Gemm":
                if (Attribute(node, "transA") == 1) return null;
                axis = Attribute(node, "transB") == 1 ? 0 : 1;
                break;
            default:
                if (w.Dims.Count != 2) return null;
                axis = 1;
                break;
        }
        string? bias = null;
        if (node.Input.Count > 2 && node.Input[2].Length > 0 && initializers.TryGetValue(node.Input[2], out var b)
            && b.DataType == (int)TensorProto.Types.DataType.Float && b.Dims.Count == 1 && b.Dims[0] == w.Dims[axis]
            && (node.OpType == "Conv" || (AttributeFloat(node, "alpha", 1f) == 1f && AttributeFloat(node, "beta", 1f) == 1f)))
            bias = node.Input[2];
        else if (node.OpType == "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0)
            return null; // a bias that cannot be int32 would keep ONNX Runtime from fusing the node
        return new NodePlan([node.Input[0]], node.Input[1], 1, axis, bias, OutputToQuantize(node, readers, settings));
    }

    /// <summary>
    /// Symmetric int8: the output only for a single reader. ONNX Runtime fuses DQ → op → Q only when that Q is the
    /// op's one consumer (and then carries the int8 on); read twice (e.g. by a LayerNorm), a Q blocks the fusion,
    /// while with no Q it still runs as an int8 kernel with float output. Uint8: always (ONNX Runtime gives each
    /// reader its own DQ), and after the ReLU when a ReLU is the only reader: with zero point 0 the uint8 Q clips
    /// at 0 itself, so ONNX Runtime drops the ReLU and fuses op → Q. Never a graph output (a Q there fuses nothing).
    /// </summary>
    private static string? OutputToQuantize(NodeProto node, TensorReaders readers, QuantizationSettings settings)
    {
        var output = node.Output[0];
        if (!settings.Uint8Activations) return readers.Count.GetValueOrDefault(output) == 1 ? output : null;
        var quantized = readers.ReluAfter.GetValueOrDefault(output) ?? output;
        return readers.GraphOutputs.Contains(quantized) ? null : quantized;
    }

    private static long Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;

    private static float AttributeFloat(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    /// <summary>
    /// One activation's scale and zero point as scalar initializers: symmetric int8 (zero point 0) over the larger
    /// magnitude, or uint8 over [min, max] widened to hold 0 (zero point where 0 falls; 0 for a ReLU output).
    /// </summary>
    private static ActivationScale AddActivationScale(GraphProto graph, UniqueNames names, string tensor, (float Min, float Max) range, bool uint8)
    {
        var scale = names.Next(tensor + "_scale");
        var zeroPoint = names.Next(tensor + "_zero_point");
        float value;
        byte zero;
        if (uint8)
        {
            var (lo, hi) = (Math.Min(range.Min, 0f), Math.Max(range.Max, 0f));
            value = hi - lo > 0 && float.IsFinite(hi - lo) ? (hi - lo) / 255f : 1f / 255f; // always zero: as in ScaleOf
            zero = (byte)Math.Clamp(MathF.Round(-lo / value), 0, 255);
        }
        else
        {
            value = ScaleOf(Math.Max(Math.Abs(range.Min), Math.Abs(range.Max)));
            zero = 0;
        }
        graph.Initializer.Add(FloatTensor(scale, [], [value]));
        var type = uint8 ? TensorProto.Types.DataType.Uint8 : TensorProto.Types.DataType.Int8;
        graph.Initializer.Add(new TensorProto { Name = zeroPoint, DataType = (int)type, RawData = ByteString.CopyFrom([zero]) });
        return new ActivationScale(scale, zeroPoint, value);
    }

    private sealed record ActivationScale(string Scale, string ZeroPoint, float Value);

    private static IEnumerable<NodeProto> ActivationPair(UniqueNames names, string tensor, ActivationScale quantization, Dictionary<string, string> dequantized)
    {
        var (scale, zeroPoint, _) = quantization;
        var q = names.Next(tensor + "_quantized");
        var dq = names.Next(tensor + "_dequantized");
        dequantized[tensor] = dq;
        yield return Node("QuantizeLinear", names.Next(tensor + "_QuantizeLinear"), [tensor, scale, zeroPoint], q);
        yield return Node("DequantizeLinear", names.Next(tensor + "_DequantizeLinear"), [q, scale, zeroPoint], dq);
    }

    private static (string Output, float[] Scales) QuantizeWeight(GraphProto graph, UniqueNames names, TensorProto weight, int axis, float weightMax, List<NodeProto> nodes)
    {
        var values = Floats(weight);
        var dims = weight.Dims.ToArray();
        var channels = (int)dims[axis];
        var inner = (int)dims.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        var scales = new float[channels];
        for (var i = 0; i < values.Length; i++)
        {
            var c = (i / inner) % channels;
            scales[c] = Math.Max(scales[c], Math.Abs(values[i]));
        }
        for (var c = 0; c < channels; c++) scales[c] = scales[c] > 0 && float.IsFinite(scales[c]) ? scales[c] / weightMax : 1f / weightMax; // an all-zero channel: as in ScaleOf
        var q = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
            q[i] = (byte)(sbyte)Math.Clamp(MathF.Round(values[i] / scales[(i / inner) % channels], MidpointRounding.ToEven), -weightMax, weightMax);

        var baseName = weight.Name;
        var qName = names.Next(baseName + "_quantized");
        var scaleName = names.Next(baseName + "_scale");
        var zpName = names.Next(baseName + "_zero_point");
        var output = names.Next(baseName + "_dequantized");
        graph.Initializer.Add(new TensorProto { Name = qName, DataType = (int)TensorProto.Types.DataType.Int8, Dims = { dims }, RawData = ByteString.CopyFrom(q) });
        graph.Initializer.Add(FloatTensor(scaleName, [channels], scales));
        graph.Initializer.Add(new TensorProto { Name = zpName, DataType = (int)TensorProto.Types.DataType.Int8, Dims = { (long)channels }, RawData = ByteString.CopyFrom(new byte[channels]) });
        var dq = Node("DequantizeLinear", names.Next(baseName + "_DequantizeLinear"), [qName, scaleName, zpName], output);
        dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
        nodes.Add(dq);
        return (output, scales);
    }

    private static string QuantizeBias(GraphProto graph, UniqueNames names, TensorProto bias, float inputScale, float[] weightScales, List<NodeProto> nodes)
    {
        var values = Floats(bias);
        var scales = new float[values.Length];
        var q = new int[values.Length];
        for (var c = 0; c < values.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            q[c] = (int)Math.Clamp(Math.Round(values[c] / (double)scales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }
        var qName = names.Next(bias.Name + "_quantized");
        var scaleName = names.Next(bias.Name + "_scale");
        var zpName = names.Next(bias.Name + "_zero_point");
        var output = names.Next(bias.Name + "_dequantized");
        graph.Initializer.Add(new TensorProto { Name = qName, DataType = (int)TensorProto.Types.DataType.Int32, Dims = { (long)q.Length }, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan())) });
        graph.Initializer.Add(FloatTensor(scaleName, [q.Length], scales));
        graph.Initializer.Add(new TensorProto { Name = zpName, DataType = (int)TensorProto.Types.DataType.Int32, Dims = { (long)q.Length }, RawData = ByteString.CopyFrom(new byte[q.Length * sizeof(int)]) });
        var dq = Node("DequantizeLinear", names.Next(bias.Name + "_DequantizeLinear"), [qName, scaleName, zpName], output);
        dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        nodes.Add(dq);
        return output;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output) =>
        new() { OpType = op, Name = name, Input = { inputs }, Output = { output } };

    private static TensorProto FloatTensor(string name, long[] dims, float[] values) => new()
    {
        Name = name,
        DataType = (int)TensorProto.Types.DataType.Float,
        Dims = { dims },
        RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
    };

    /// <summary>A float initializer's values, from raw little-endian bytes or the typed field.</summary>
    internal static float[] Floats(TensorProto t) =>
        t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : [.. t.FloatData];

    /// <summary>Every tensor name a node reads, in this graph and in the subgraphs of If/Loop/Scan.</summary>
    private static IEnumerable<string> AllInputs(GraphProto graph) =>
        graph.Node.SelectMany(n => n.Input.Concat(n.Attribute.SelectMany(a => (a.G is null ? a.Graphs : a.Graphs.Append(a.G)).SelectMany(AllInputs))))
            .Concat(graph.Output.Select(o => o.Name));

    private sealed record NodePlan(IReadOnlyList<string> Activations, string? Weight, int WeightIndex, int WeightAxis, string? Bias, string? Output)
    {
        /// <summary>Every activation of the node to quantize: inputs and, if it has one reader, the output.</summary>
        public IEnumerable<string> Tensors => Output is null ? Activations : Activations.Append(Output);
    }

    /// <summary>How many nodes (or graph outputs) read each tensor of the main graph, and the ReLU that is a tensor's only reader.</summary>
    private sealed record TensorReaders(Dictionary<string, int> Count, Dictionary<string, string> ReluAfter, HashSet<string> GraphOutputs);

    private static TensorReaders Readers(GraphProto graph)
    {
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in graph.Node.SelectMany(n => n.Input.Distinct()).Concat(graph.Output.Select(o => o.Name)))
            readers[name] = readers.GetValueOrDefault(name) + 1;
        var reluAfter = graph.Node.Where(n => n.OpType == "Relu" && readers.GetValueOrDefault(n.Input[0]) == 1)
            .ToDictionary(n => n.Input[0], n => n.Output[0], StringComparer.Ordinal);
        return new TensorReaders(readers, reluAfter, graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Names not yet used anywhere in the graph.</summary>
    private sealed class UniqueNames(GraphProto graph)
    {
        private readonly HashSet<string> _taken = graph.Node.SelectMany(n => n.Input.Concat(n.Output).Append(n.Name))
            .Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Output.Select(o => o.Name))
            .ToHashSet(StringComparer.Ordinal);

        public string Next(string wanted)
        {
            var name = wanted;
            for (var i = 1; !_taken.Add(name); i++) name = $"{wanted}_{i}";
            return name;
        }
    }
}
