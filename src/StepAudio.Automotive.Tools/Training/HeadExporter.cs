using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Onnx;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Writes a trained <see cref="MlpClassifier"/> as ONNX with the project's own writer: input
/// <c>embeddings</c> [1, T, 96] → Reshape → Gemm/ReLU layers → sigmoid (one output:
/// <c>score</c> [1, 1], openWakeWord's head contract) or softmax (<c>probabilities</c> [1, C]).
/// The input standardisation is folded into the first layer, so the head takes raw embeddings.
/// </summary>
public static class HeadExporter
{
    public const string InputName = "embeddings";
    public const string ScoreName = "score";
    public const string ProbabilitiesName = "probabilities";

    public static byte[] ToOnnx(MlpClassifier model, string name, string description)
    {
        var g = new OnnxGraph(name);
        var d = SpeechEmbedder.Size;
        var input = g.Input(InputName, 1, model.Window, d);
        var first = 0;
        var x = input;
        if (model.FrameWidth > 0)
        {
            var (w0, b0) = FoldStandardisation(model);
            var p = model.FrameWidth;
            var k = model.Kernel;
            if (k == 1)
            {
                // The frame layer: [1, T, 96] · W0ᵀ [96, P] + b0 → ReLU, on every embedding at once.
                var w0t = new float[d * p];
                for (var j = 0; j < p; j++)
                    for (var i = 0; i < d; i++) w0t[(i * p) + j] = w0[(j * d) + i];
                x = g.Node("MatMul", [x, g.Initializer("w0", [d, p], w0t)], "frame_matmul");
                x = g.Node("Add", [x, g.Initializer("b0", [p], b0)], "frame_add");
            }
            else
            {
                // A temporal convolution: [1, 96, T] * W0 [P, 96, K] + b0 → [1, P, T − K + 1] → [1, T − K + 1, P].
                var wc = new float[p * d * k];
                for (var j = 0; j < p; j++)
                    for (var o = 0; o < k; o++)
                        for (var i = 0; i < d; i++) wc[(((j * d) + i) * k) + o] = w0[(j * d * k) + (o * d) + i];
                x = g.Node("Transpose", [x], "channels_first", [("perm", new long[] { 0, 2, 1 })]);
                x = g.Node("Conv", [x, g.Initializer("w0", [p, d, k], wc), g.Initializer("b0", [p], b0)], "frame_conv", [("kernel_shape", new long[] { k })]);
                x = g.Node("Transpose", [x], "time_first", [("perm", new long[] { 0, 2, 1 })]);
            }
            x = g.Node("Relu", [x], "relu0");
            first = 1;
        }
        var shape = g.Int64Initializer("flat_shape", [1, model.Sizes[first]]);
        x = g.Node("Reshape", [x, shape], "flat");
        for (var l = first; l < model.Layers; l++)
        {
            var (w, b) = l == 0 ? FoldStandardisation(model) : (model.Weights[l], model.Biases[l]);
            var wName = g.Initializer($"w{l}", [model.Sizes[l + 1], model.Sizes[l]], w);
            var bName = g.Initializer($"b{l}", [model.Sizes[l + 1]], b);
            x = g.Node("Gemm", [x, wName, bName], $"gemm{l}", [("transB", 1L)]);
            if (l < model.Layers - 1) x = g.Node("Relu", [x], $"relu{l}");
        }
        if (model.Outputs == 1)
        {
            g.Node("Sigmoid", [x], ScoreName);
            g.Output(ScoreName, 1, 1);
        }
        else
        {
            g.Node("Softmax", [x], ProbabilitiesName, [("axis", 1L)]);
            g.Output(ProbabilitiesName, 1, model.Outputs);
        }
        return g.ToModel(docString: description);
    }

    /// <summary>
    /// W' = W · diag(scale), b' = b − W' · mean: the first layer on raw embeddings equals the trained
    /// layer on standardised ones.
    /// </summary>
    private static (float[] W, float[] B) FoldStandardisation(MlpClassifier model)
    {
        var (n, m) = model.Shape(0);
        var d = model.Mean.Length;
        var w = new float[n * m];
        var b = new float[n];
        for (var j = 0; j < n; j++)
        {
            double bias = model.Biases[0][j];
            for (var i = 0; i < m; i++)
            {
                var folded = model.Weights[0][(j * m) + i] * model.Scale[i % d];
                w[(j * m) + i] = folded;
                bias -= folded * (double)model.Mean[i % d];
            }
            b[j] = (float)bias;
        }
        return (w, b);
    }
}
