namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// face-api's face processors — the 68-point tiny landmark net and the expression net — as ONNX graphs.
/// Both are a feature extractor of densely connected depthwise-separable blocks on a 112×112 face crop,
/// an average pool and one fully connected layer, following the reference forward pass layer for layer:
/// (rgb − mean) / 255 → dense blocks (each: a stride-2 conv, then 2 or 3 separable convs whose inputs are
/// the ReLU of the running sum) → avgPool → fc (→ softmax for expressions). Input: NCHW float RGB in 0..255.
/// </summary>
public static class FaceFeatureNetConverter
{
    private static readonly float[] MeanRgb = [122.782f, 117.001f, 104.298f];

    public const string InputName = "face";

    public const int InputSize = 112;

    /// <summary>The tiny landmark net: 3 blocks of 3 convs, avgPool 14; output [N, 136] = (x, y) × 68 relative to the square crop.</summary>
    public static OnnxGraph BuildLandmarks(TfjsWeights w)
    {
        var g = new OnnxGraph("face_landmark_68_tiny");
        var x = FeatureExtractor(g, w, blocks: 3, convsPerBlock: 3);
        FullyConnected(g, w, x, "landmarks");
        return g;
    }

    /// <summary>The expression net: 4 blocks of 4 convs, avgPool 7; output [N, 7] probabilities (neutral, happy, sad, angry, fearful, disgusted, surprised).</summary>
    public static OnnxGraph BuildExpressions(TfjsWeights w)
    {
        var g = new OnnxGraph("face_expression");
        var x = FeatureExtractor(g, w, blocks: 4, convsPerBlock: 4);
        var logits = FullyConnected(g, w, x, null);
        g.Node("Softmax", [logits], "expressions", [("axis", 1L)]);
        g.Output("expressions", "batch", w["fc/bias"].Shape[0]);
        return g;
    }

    private static string FeatureExtractor(OnnxGraph g, TfjsWeights w, int blocks, int convsPerBlock)
    {
        var x = g.Input(InputName, "batch", 3, InputSize, InputSize);
        x = g.Node("Sub", [x, g.Initializer("mean_rgb", [1, 3, 1, 1], MeanRgb)]);
        x = g.Node("Div", [x, g.Initializer("scale_255", [], [255f])]);
        for (var b = 0; b < blocks; b++) x = DenseBlock(g, w, $"dense{b}", x, convsPerBlock, first: b == 0);
        var side = InputSize >> blocks;
        x = g.Node("AveragePool", [x], attributes: [("kernel_shape", new long[] { side, side }), ("strides", new long[] { 2, 2 })]);
        return g.Node("Flatten", [x], attributes: [("axis", 1L)]);
    }

    /// <summary>
    /// out1 = relu(conv0(x), stride 2); out_k = sepconv_k(relu(out1 + … + out_{k−1})); result relu(out1 + … + out_n).
    /// tfjs adds the later outputs first (out1 + (out2 + out3)); float addition order is kept.
    /// </summary>
    private static string DenseBlock(OnnxGraph g, TfjsWeights w, string block, string x, int convs, bool first)
    {
        var outs = new List<string> { g.Node("Relu", [first ? Conv(g, w, $"{block}/conv0", x) : SeparableConv(g, w, $"{block}/conv0", x, 2)]) };
        for (var k = 1; k < convs; k++)
        {
            var input = k == 1 ? outs[0] : g.Node("Relu", [Sum(g, outs)]);
            outs.Add(SeparableConv(g, w, $"{block}/conv{k}", input, 1));
        }
        return g.Node("Relu", [Sum(g, outs)]);
    }

    private static string Sum(OnnxGraph g, List<string> terms)
    {
        var s = terms[^1];
        for (var i = terms.Count - 2; i >= 0; i--) s = g.Node("Add", [terms[i], s]);
        return s;
    }

    /// <summary>The first block's plain 3×3 conv, stride 2, TensorFlow 'same' padding (extra row/column at the end = SAME_UPPER).</summary>
    private static string Conv(OnnxGraph g, TfjsWeights w, string name, string x)
    {
        var (f, v) = w.ConvFilter($"{name}/filters");
        var bias = w[$"{name}/bias"];
        var id = name.Replace('/', '_');
        return g.Node("Conv", [x, g.Initializer($"{id}_w", f, v), g.Initializer($"{id}_b", [bias.Shape[0]], bias.Values)],
            attributes: [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("auto_pad", "SAME_UPPER")]);
    }

    /// <summary>tf.separableConv2d: depthwise 3×3 with the stride and 'same' padding, then pointwise 1×1, then the bias.</summary>
    private static string SeparableConv(OnnxGraph g, TfjsWeights w, string name, string x, int stride)
    {
        var (df, dv) = w.DepthwiseFilter($"{name}/depthwise_filter");
        var (pf, pv) = w.ConvFilter($"{name}/pointwise_filter");
        var bias = w[$"{name}/bias"];
        var id = name.Replace('/', '_');
        x = g.Node("Conv", [x, g.Initializer($"{id}_dw", df, dv)],
            attributes: [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { stride, stride }), ("auto_pad", "SAME_UPPER"), ("group", df[0])]);
        return g.Node("Conv", [x, g.Initializer($"{id}_pw", pf, pv), g.Initializer($"{id}_b", [bias.Shape[0]], bias.Values)],
            attributes: [("kernel_shape", new long[] { 1, 1 })]);
    }

    /// <summary>tfjs fc: x · W[in, out] + b.</summary>
    private static string FullyConnected(OnnxGraph g, TfjsWeights w, string x, string? output)
    {
        var (ws, wv) = w["fc/weights"];
        var (bs, bv) = w["fc/bias"];
        var y = g.Node("MatMul", [x, g.Initializer("fc_w", [ws[0], ws[1]], wv)]);
        y = g.Node("Add", [y, g.Initializer("fc_b", [bs[0]], bv)], output);
        if (output is not null) g.Output(output, "batch", bs[0]);
        return y;
    }

    /// <summary>Converts face-api's <c>face_landmark_68_tiny_model-weights_manifest.json</c> (shard beside it) into an ONNX file.</summary>
    public static void ConvertLandmarks(string manifestPath, string onnxPath) =>
        Write(BuildLandmarks(TfjsWeights.Load(manifestPath)), manifestPath, onnxPath);

    /// <summary>Converts face-api's <c>face_expression_model-weights_manifest.json</c> (shard beside it) into an ONNX file.</summary>
    public static void ConvertExpressions(string manifestPath, string onnxPath) =>
        Write(BuildExpressions(TfjsWeights.Load(manifestPath)), manifestPath, onnxPath);

    private static void Write(OnnxGraph g, string manifestPath, string onnxPath)
    {
        var model = g.ToModel(docString: $"converted from {Path.GetFileName(manifestPath)} (@vladmandic/face-api, MIT)");
        var temp = onnxPath + ".partial";
        File.WriteAllBytes(temp, model);
        File.Move(temp, onnxPath, overwrite: true);
    }
}
