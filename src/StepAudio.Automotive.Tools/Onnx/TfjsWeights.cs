using System.Buffers.Binary;
using System.Text.Json;

namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// The weights of a TensorFlow.js layers/graph model: a JSON manifest listing each tensor's name,
/// shape and quantization, and binary shards holding them back to back. uint8-quantized tensors are
/// dequantized with the manifest's scale and min (value = q × scale + min).
/// </summary>
public sealed class TfjsWeights
{
    private readonly Dictionary<string, (int[] Shape, float[] Values)> _tensors = new(StringComparer.Ordinal);

    private TfjsWeights(string source) => Source = source;

    public string Source { get; }

    public IEnumerable<string> Names => _tensors.Keys;

    /// <summary>Reads a <c>*-weights_manifest.json</c>; its shards are looked up beside it.</summary>
    public static TfjsWeights Load(string manifestPath)
    {
        var weights = new TfjsWeights(manifestPath);
        using var doc = JsonDocument.Parse(File.ReadAllText(manifestPath));
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidInputException(manifestPath, "expected an array of weight groups");
        var dir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        foreach (var group in doc.RootElement.EnumerateArray())
        {
            using var data = new MemoryStream();
            foreach (var p in group.GetProperty("paths").EnumerateArray())
            {
                var shard = Path.Combine(dir, p.GetString()!);
                if (!File.Exists(shard)) throw new InvalidInputException(manifestPath, $"weight shard {p.GetString()} not found beside it");
                using var f = File.OpenRead(shard);
                f.CopyTo(data);
            }
            var bytes = data.ToArray();
            var offset = 0;
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                var name = w.GetProperty("name").GetString()!;
                var shape = w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                var count = shape.Aggregate(1, (a, d) => a * d);
                var values = new float[count];
                if (w.TryGetProperty("quantization", out var q))
                {
                    var qType = q.GetProperty("dtype").GetString();
                    if (qType != "uint8") throw new InvalidInputException(manifestPath, $"{name}: quantization {qType} is not supported (uint8 is)");
                    var scale = q.GetProperty("scale").GetDouble();
                    var min = q.GetProperty("min").GetDouble();
                    Need(bytes, offset, count, manifestPath, name);
                    for (var i = 0; i < count; i++) values[i] = (float)((bytes[offset + i] * scale) + min);
                    offset += count;
                }
                else
                {
                    if (w.GetProperty("dtype").GetString() != "float32") throw new InvalidInputException(manifestPath, $"{name}: only float32 or uint8-quantized weights are supported");
                    Need(bytes, offset, count * 4, manifestPath, name);
                    for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + (4 * i)));
                    offset += count * 4;
                }
                weights._tensors[name] = (shape, values);
            }
            if (offset != bytes.Length) throw new InvalidInputException(manifestPath, $"shards hold {bytes.Length} bytes but the manifest describes {offset}");
        }
        return weights;
    }

    private static void Need(byte[] bytes, int offset, int count, string source, string name)
    {
        if (offset + count > bytes.Length) throw new InvalidInputException(source, $"{name}: the shards end before this tensor does");
    }

    public (int[] Shape, float[] Values) this[string name] =>
        _tensors.TryGetValue(name, out var t) ? t : throw new InvalidInputException(Source, $"no weight named {name}");

    /// <summary>A tfjs conv2d filter [kh, kw, in, out] as ONNX Conv weights [out, in, kh, kw].</summary>
    public (long[] Dims, float[] Values) ConvFilter(string name)
    {
        var (s, v) = this[name];
        if (s.Length != 4) throw new InvalidInputException(Source, $"{name}: expected a 4-D filter, found [{string.Join(",", s)}]");
        int kh = s[0], kw = s[1], cin = s[2], cout = s[3];
        var o = new float[v.Length];
        for (var y = 0; y < kh; y++)
            for (var x = 0; x < kw; x++)
                for (var i = 0; i < cin; i++)
                    for (var c = 0; c < cout; c++)
                        o[(((c * cin) + i) * kh * kw) + (y * kw) + x] = v[(((((y * kw) + x) * cin) + i) * cout) + c];
        return ([cout, cin, kh, kw], o);
    }

    /// <summary>A tfjs depthwise filter [kh, kw, in, 1] as grouped ONNX Conv weights [in, 1, kh, kw].</summary>
    public (long[] Dims, float[] Values) DepthwiseFilter(string name)
    {
        var (s, v) = this[name];
        if (s.Length != 4 || s[3] != 1) throw new InvalidInputException(Source, $"{name}: expected a [kh, kw, in, 1] depthwise filter, found [{string.Join(",", s)}]");
        int kh = s[0], kw = s[1], cin = s[2];
        var o = new float[v.Length];
        for (var y = 0; y < kh; y++)
            for (var x = 0; x < kw; x++)
                for (var i = 0; i < cin; i++)
                    o[(i * kh * kw) + (y * kw) + x] = v[(((y * kw) + x) * cin) + i];
        return ([cin, 1, kh, kw], o);
    }
}
