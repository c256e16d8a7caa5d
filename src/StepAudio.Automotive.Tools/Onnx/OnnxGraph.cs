using System.Runtime.InteropServices;

namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// Builds an ONNX model (ModelProto) by hand: float tensors as initializers, nodes with attributes,
/// inputs and outputs with shapes (a dimension may be symbolic). Field numbers are onnx.proto's.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>ONNX IR version 8 with opset 17: what ONNX Runtime 1.14+ and TensorRT 8.6+ read.</summary>
    public const int IrVersion = 8;

    public const int Opset = 17;

    private const int FloatType = 1;
    private const int Int64Type = 7;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly HashSet<string> _names = [];
    private int _nodeCount;

    public OnnxGraph(string name) => Name = name;

    public string Name { get; }

    /// <summary>Adds a float32 constant; its dims are ONNX's (e.g. OIHW for Conv weights).</summary>
    public string Initializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        if (dims.Aggregate(1L, (a, d) => a * d) != values.Length)
            throw new ArgumentException($"{name}: {values.Length} values do not fill dims [{string.Join(",", dims)}]", nameof(values));
        Claim(name);
        var t = new ProtoWriter();
        foreach (var d in dims) t.Int(1, d);
        t.Int(2, FloatType);
        t.String(8, name);
        t.Bytes(9, MemoryMarshal.AsBytes(values)); // raw_data: little-endian, as ONNX requires
        _initializers.Add(t);
        return name;
    }

    public string Int64Initializer(string name, long[] values)
    {
        Claim(name);
        var t = new ProtoWriter();
        t.Int(1, values.Length);
        t.Int(2, Int64Type);
        t.String(8, name);
        t.Bytes(9, MemoryMarshal.AsBytes(values.AsSpan()));
        _initializers.Add(t);
        return name;
    }

    /// <summary>A float32 graph input; a string dimension is symbolic (dynamic).</summary>
    public string Input(string name, params object[] shape)
    {
        Claim(name);
        _inputs.Add(ValueInfo(name, shape));
        return name;
    }

    public void Output(string name, params object[] shape) => _outputs.Add(ValueInfo(name, shape));

    /// <summary>Adds a node and returns its (first) output's name.</summary>
    public string Node(string opType, string[] inputs, string? output = null, (string Name, object Value)[]? attributes = null)
    {
        var outName = output ?? $"{opType.ToLowerInvariant()}_{_nodeCount}";
        Claim(outName);
        var n = new ProtoWriter();
        foreach (var i in inputs) n.String(1, i);
        n.String(2, outName);
        n.String(3, $"{opType}_{_nodeCount++}");
        n.String(4, opType);
        foreach (var (name, value) in attributes ?? []) n.Message(5, a => Attribute(a, name, value));
        _nodes.Add(n);
        return outName;
    }

    private static void Attribute(ProtoWriter a, string name, object value)
    {
        a.String(1, name);
        switch (value)
        {
            case float f:
                a.Float(2, f);
                a.Int(20, 1); // FLOAT
                break;
            case int or long:
                a.Int(3, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                a.Int(20, 2); // INT
                break;
            case string s:
                a.String(4, s);
                a.Int(20, 3); // STRING
                break;
            case long[] ints:
                a.PackedInts(8, ints);
                a.Int(20, 7); // INTS
                break;
            case float[] floats:
                a.PackedFloats(7, floats);
                a.Int(20, 6); // FLOATS
                break;
            default:
                throw new ArgumentException($"attribute {name}: unsupported type {value.GetType().Name}", nameof(value));
        }
    }

    private static ProtoWriter ValueInfo(string name, object[] shape)
    {
        var v = new ProtoWriter();
        v.String(1, name);
        v.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, FloatType);
            tensor.Message(2, s =>
            {
                foreach (var d in shape)
                    s.Message(1, dim =>
                    {
                        if (d is string symbol) dim.String(2, symbol);
                        else dim.Int(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                    });
            });
        }));
        return v;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"the name '{name}' is used twice in graph {Name}", nameof(name));
    }

    /// <summary>The serialized ModelProto.</summary>
    public byte[] ToModel(string producer = "StepAudio.Automotive.Tools", string docString = "")
    {
        var graph = new ProtoWriter();
        foreach (var n in _nodes) graph.Message(1, n);
        graph.String(2, Name);
        foreach (var t in _initializers) graph.Message(5, t);
        if (docString.Length > 0) graph.String(10, docString);
        foreach (var i in _inputs) graph.Message(11, i);
        foreach (var o in _outputs) graph.Message(12, o);

        var model = new ProtoWriter();
        model.Int(1, IrVersion);
        model.String(2, producer);
        model.String(3, "1");
        model.Message(7, graph);
        model.Message(8, op =>
        {
            op.String(1, "");
            op.Int(2, Opset);
        });
        return model.ToArray();
    }

    public void Save(string path) => File.WriteAllBytes(path, ToModel());
}
