namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// face-api's tiny face detector (a Tiny-YOLOv2 with depthwise-separable convolutions, 5 anchors,
/// one class) as an ONNX graph, following the reference forward pass layer for layer:
/// (rgb − mean) / 255 → conv0 3×3 valid + leaky → maxpool → 5 × [pad 1, depthwise 3×3, pointwise,
/// bias, leaky, maxpool] → conv8 1×1. Input: NCHW float RGB in 0..255, side a multiple of 32.
/// Output: [1, 25, S/32, S/32], channel = anchor × 5 + (x, y, w, h, score) before the sigmoid/exp.
/// </summary>
public static class TinyFaceDetectorConverter
{
    private static readonly float[] MeanRgb = [117.001f, 114.697f, 97.404f];

    /// <summary>tfjs's leaky(): relu(x − 0.1x) + 0.1x, i.e. LeakyRelu with slope 0.1 (as float32).</summary>
    private const float LeakySlope = 0.10000000149011612f;

    public const string InputName = "image";
    public const string OutputName = "grid";

    public static OnnxGraph Build(TfjsWeights w)
    {
        var g = new OnnxGraph("tiny_face_detector");
        var x = g.Input(InputName, 1, 3, "height", "width");
        x = g.Node("Sub", [x, g.Initializer("mean_rgb", [1, 3, 1, 1], MeanRgb)]);
        x = g.Node("Div", [x, g.Initializer("scale_255", [], [255f])]);

        var (f0, v0) = w.ConvFilter("conv0/filters");
        x = g.Node("Conv", [x, g.Initializer("conv0_w", f0, v0), g.Initializer("conv0_b", [w["conv0/bias"].Shape[0]], w["conv0/bias"].Values)],
            attributes: [("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 0, 0, 0, 0 })]);
        x = g.Node("LeakyRelu", [x], attributes: [("alpha", LeakySlope)]);
        x = Pool(g, x, 2);
        for (var i = 1; i <= 5; i++)
        {
            var (df, dv) = w.DepthwiseFilter($"conv{i}/depthwise_filter");
            var (pf, pv) = w.ConvFilter($"conv{i}/pointwise_filter");
            var channels = df[0];
            x = g.Node("Conv", [x, g.Initializer($"conv{i}_dw", df, dv)],
                attributes: [("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("group", channels)]);
            var bias = w[$"conv{i}/bias"];
            x = g.Node("Conv", [x, g.Initializer($"conv{i}_pw", pf, pv), g.Initializer($"conv{i}_b", [bias.Shape[0]], bias.Values)],
                attributes: [("kernel_shape", new long[] { 1, 1 })]);
            x = g.Node("LeakyRelu", [x], attributes: [("alpha", LeakySlope)]);
            x = Pool(g, x, i < 5 ? 2 : 1);
        }
        var (f8, v8) = w.ConvFilter("conv8/filters");
        var b8 = w["conv8/bias"];
        g.Node("Conv", [x, g.Initializer("conv8_w", f8, v8), g.Initializer("conv8_b", [b8.Shape[0]], b8.Values)], OutputName,
            [("kernel_shape", new long[] { 1, 1 })]);
        g.Output(OutputName, 1, b8.Shape[0], "cells_y", "cells_x");
        return g;
    }

    /// <summary>tf.maxPool 2×2 'same': TensorFlow pads at the end, as ONNX SAME_UPPER does.</summary>
    private static string Pool(OnnxGraph g, string x, int stride) =>
        g.Node("MaxPool", [x], attributes: [("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { stride, stride }), ("auto_pad", "SAME_UPPER")]);

    /// <summary>Converts face-api's <c>tiny_face_detector_model-weights_manifest.json</c> (shards beside it) into an ONNX file.</summary>
    public static void Convert(string manifestPath, string onnxPath)
    {
        var model = Build(TfjsWeights.Load(manifestPath)).ToModel(docString: $"converted from {Path.GetFileName(manifestPath)} (@vladmandic/face-api, MIT)");
        var temp = onnxPath + ".partial";
        File.WriteAllBytes(temp, model);
        File.Move(temp, onnxPath, overwrite: true);
    }
}
