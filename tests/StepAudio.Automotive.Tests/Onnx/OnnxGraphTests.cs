using System.Text.Json;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Onnx;

namespace StepAudio.Automotive.Tests.Onnx;

/// <summary>Models written by the project's ONNX writer, run by the real ONNX Runtime.</summary>
public class OnnxGraphTests
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    private static OnnxModel Load(OnnxGraph g, IReadOnlyDictionary<string, long[]>? shapes = null)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), g.Name + ".onnx");
        g.Save(path);
        return new OnnxModel(path, Cpu, shapes);
    }

    [Fact]
    public void ConvLeakyReluAndSameUpperPoolComputeWhatTheyShould()
    {
        // 1x1x3x3 input, one 2x2 kernel of ones plus bias -10, slope 0.5, then 2x2 max pool SAME_UPPER.
        var g = new OnnxGraph("conv_test");
        var x = g.Input("x", 1, 1, 3, 3);
        var c = g.Node("Conv", [x, g.Initializer("w", [1, 1, 2, 2], [1f, 1, 1, 1]), g.Initializer("b", [1], [-10f])],
            attributes: [("kernel_shape", new long[] { 2, 2 })]);
        var r = g.Node("LeakyRelu", [c], attributes: [("alpha", 0.5f)]);
        g.Node("MaxPool", [r], "y", [("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 }), ("auto_pad", "SAME_UPPER")]);
        g.Output("y", 1, 1, 2, 2);
        using var model = Load(g);
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        input.CopyTo(model.Input("x").Floats);
        model.Run();
        // Conv sums: 12, 16, 24, 28 → minus 10: 2, 6, 14, 18; pooling with the end padded keeps each max to the right/below.
        Assert.Equal([18f, 18, 18, 18], model.Output("y").Floats.ToArray());
    }

    [Fact]
    public void SymbolicDimensionsAreDynamic()
    {
        var g = new OnnxGraph("sub_test");
        var x = g.Input("x", 1, 3, "h", "w");
        g.Node("Div", [g.Node("Sub", [x, g.Initializer("m", [1, 3, 1, 1], [1f, 2, 3])]), g.Initializer("s", [], [2f])], "y");
        g.Output("y", 1, 3, "h", "w");
        using var model = Load(g, new Dictionary<string, long[]> { ["x"] = [1, 3, 1, 2], ["y"] = [1, 3, 1, 2] });
        float[] input = [5, 7, 2, 4, 3, 9];
        input.CopyTo(model.Input("x").Floats);
        model.Run();
        Assert.Equal([2f, 3, 0, 1, 0, 3], model.Output("y").Floats.ToArray());
    }

    [Fact]
    public void ReusedNameIsRejected()
    {
        var g = new OnnxGraph("dup");
        g.Input("x", 1);
        var e = Assert.Throws<ArgumentException>(() => g.Initializer("x", [1], [1f]));
        Assert.StartsWith("the name 'x' is used twice in graph dup", e.Message, StringComparison.Ordinal);
    }
}

public class TfjsWeightsTests
{
    private static string WriteModel(string dir, byte[] shard, object weights)
    {
        File.WriteAllBytes(Path.Combine(dir, "m.bin"), shard);
        var manifest = Path.Combine(dir, "m-weights_manifest.json");
        File.WriteAllText(manifest, JsonSerializer.Serialize(new[] { new { paths = new[] { "m.bin" }, weights } }));
        return manifest;
    }

    [Fact]
    public void DequantizesUint8WithScaleAndMinAndReadsFloat32()
    {
        var dir = TestPaths.NewTempDir();
        var shard = new byte[] { 0, 10, 255 }.Concat(BitConverter.GetBytes(1.5f)).ToArray();
        var path = WriteModel(dir, shard, new object[]
        {
            new { name = "q", shape = new[] { 3 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 0.5, min = -1.0 } },
            new { name = "f", shape = new[] { 1 }, dtype = "float32" },
        });
        var w = TfjsWeights.Load(path);
        Assert.Equal([-1f, 4f, 126.5f], w["q"].Values);
        Assert.Equal([1.5f], w["f"].Values);
    }

    [Fact]
    public void FiltersAreTransposedToOnnxLayout()
    {
        var dir = TestPaths.NewTempDir();
        // conv [kh=1, kw=2, in=2, out=3]: value = 100*x + 10*in + out
        var conv = new List<byte>();
        for (var x = 0; x < 2; x++)
            for (var i = 0; i < 2; i++)
                for (var o = 0; o < 3; o++) conv.Add((byte)((100 * x) + (10 * i) + o));
        // depthwise [kh=2, kw=1, in=2, 1]: value = 10*y + in
        var dw = new List<byte>();
        for (var y = 0; y < 2; y++)
            for (var i = 0; i < 2; i++) dw.Add((byte)((10 * y) + i));
        var path = WriteModel(dir, [.. conv, .. dw], new object[]
        {
            new { name = "c", shape = new[] { 1, 2, 2, 3 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 1.0, min = 0.0 } },
            new { name = "d", shape = new[] { 2, 1, 2, 1 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 1.0, min = 0.0 } },
        });
        var w = TfjsWeights.Load(path);
        var (cd, cv) = w.ConvFilter("c");
        Assert.Equal([3L, 2, 1, 2], cd);
        // ONNX [out, in, kh, kw]: element [o=2, i=1, 0, x=1] = 100 + 10 + 2.
        Assert.Equal(112f, cv[(((2 * 2) + 1) * 2) + 1]);
        var (dd, dv) = w.DepthwiseFilter("d");
        Assert.Equal([2L, 1, 2, 1], dd);
        Assert.Equal([0f, 10, 1, 11], dv);
    }

    [Fact]
    public void ShortShardIsAClearError()
    {
        var dir = TestPaths.NewTempDir();
        var path = WriteModel(dir, [1, 2], new object[] { new { name = "q", shape = new[] { 3 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 1.0, min = 0.0 } } });
        var e = Assert.Throws<InvalidInputException>(() => TfjsWeights.Load(path));
        Assert.Equal($"{path}: q: the shards end before this tensor does", e.Message);
    }
}
