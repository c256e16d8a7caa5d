using System.Numerics.Tensors;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// A small classifier over an embedding window: optionally a frame layer (the same dense ReLU layer
/// applied to every embedding, 96 → <see cref="FrameWidth"/>: few weights, so little to overfit),
/// then the window flattened → ReLU layers → one output per class (a single output is a sigmoid
/// score, several a softmax). Inputs are standardised per embedding dimension with the training
/// set's mean and deviation; the export folds that into the first layer. Weights are row-major
/// [out × in], as ONNX Gemm with transB reads them.
/// </summary>
public sealed class MlpClassifier
{
    /// <param name="frameWidth">Width of the per-embedding frame layer; 0 for none (the flattened window feeds the first dense layer).</param>
    /// <param name="kernel">Neighbouring embeddings the frame layer reads at once (a temporal convolution over the window, stride 1); 1 reads one.</param>
    public MlpClassifier(int window, int[] hidden, int outputs, int seed, int frameWidth = 0, int kernel = 1)
    {
        if (kernel < 1 || kernel > window || (kernel > 1 && frameWidth == 0)) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "a kernel above 1 needs a frame layer and at most the window");
        Window = window;
        FrameWidth = frameWidth;
        Kernel = kernel;
        const int d = Speech.SpeechEmbedder.Size;
        Sizes = frameWidth > 0 ? [window * d, (window - kernel + 1) * frameWidth, .. hidden, outputs] : [window * d, .. hidden, outputs];
        Weights = new float[Sizes.Length - 1][];
        Biases = new float[Sizes.Length - 1][];
        var rng = new Random(seed);
        for (var l = 0; l < Weights.Length; l++)
        {
            // He initialisation for the ReLU layers.
            var (rows, cols) = Shape(l);
            var std = Math.Sqrt(2.0 / cols);
            Weights[l] = new float[rows * cols];
            for (var i = 0; i < Weights[l].Length; i++)
                Weights[l][i] = (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            Biases[l] = new float[rows];
        }
        Mean = new float[Speech.SpeechEmbedder.Size];
        Scale = new float[Speech.SpeechEmbedder.Size];
        Scale.AsSpan().Fill(1f);
    }

    /// <summary>Embeddings per input window.</summary>
    public int Window { get; }

    /// <summary>Outputs per embedding of the frame layer (layer 0); 0 when there is none.</summary>
    public int FrameWidth { get; }

    /// <summary>Embeddings the frame layer reads at once (oldest first, concatenated).</summary>
    public int Kernel { get; }

    /// <summary>Layer <paramref name="l"/>'s weight matrix as [rows (outputs) × columns (inputs)]; the frame layer's is [FrameWidth × 96·Kernel].</summary>
    public (int Rows, int Columns) Shape(int l) =>
        l == 0 && FrameWidth > 0 ? (FrameWidth, Speech.SpeechEmbedder.Size * Kernel) : (Sizes[l + 1], Sizes[l]);

    /// <summary>How far layer <paramref name="l"/>'s input moves from one output frame to the next (one embedding for the frame layer, so its kernels overlap).</summary>
    public int Stride(int l) => l == 0 && FrameWidth > 0 ? Speech.SpeechEmbedder.Size : Shape(l).Columns;

    /// <summary>Layer widths from input to output.</summary>
    public int[] Sizes { get; }

    public float[][] Weights { get; }

    public float[][] Biases { get; }

    /// <summary>Per-dimension mean of the embeddings (subtracted before the first layer).</summary>
    public float[] Mean { get; }

    /// <summary>Per-dimension 1 / deviation of the embeddings.</summary>
    public float[] Scale { get; }

    public int Outputs => Sizes[^1];

    public int Layers => Weights.Length;

    /// <summary>Standardises a raw window in place.</summary>
    public void Standardise(Span<float> x)
    {
        var d = Mean.Length;
        for (var t = 0; t < x.Length / d; t++)
        {
            var row = x.Slice(t * d, d);
            TensorPrimitives.Subtract(row, Mean, row);
            TensorPrimitives.Multiply(row, Scale, row);
        }
    }

    /// <summary>
    /// Runs the layers on a standardised input; <paramref name="activations"/>[l] receives layer l's
    /// output (after ReLU for hidden layers, raw logits for the last). With <paramref name="dropout"/>
    /// (training only) each hidden unit is zeroed with that probability and the rest scaled up.
    /// </summary>
    public void Forward(ReadOnlySpan<float> x, float[][] activations, Random? dropoutRng = null, float dropout = 0)
    {
        ReadOnlySpan<float> input = x;
        for (var l = 0; l < Layers; l++)
        {
            var (n, m) = Shape(l);
            var stride = Stride(l);
            var w = Weights[l];
            var y = activations[l];
            var frames = y.Length / n;
            for (var t = 0; t < frames; t++)
            {
                var xt = input.Slice(t * stride, m);
                for (var j = 0; j < n; j++) y[(t * n) + j] = Biases[l][j] + TensorPrimitives.Dot(w.AsSpan(j * m, m), xt);
            }
            if (l < Layers - 1)
            {
                TensorPrimitives.Max(y, 0f, y);
                if (dropoutRng is not null && dropout > 0)
                {
                    var keep = 1f / (1 - dropout);
                    for (var i = 0; i < y.Length; i++) y[i] = dropoutRng.NextSingle() < dropout ? 0 : y[i] * keep;
                }
            }
            input = y;
        }
    }

    /// <summary>Class probabilities from the logits: sigmoid for one output, softmax otherwise.</summary>
    public static void Probabilities(ReadOnlySpan<float> logits, Span<float> p)
    {
        if (logits.Length == 1)
        {
            p[0] = 1f / (1f + MathF.Exp(-logits[0]));
            return;
        }
        TensorPrimitives.SoftMax(logits, p);
    }

    public float[][] NewActivations() => Sizes.Skip(1).Select(n => new float[n]).ToArray();

    public MlpClassifier Clone()
    {
        var c = new MlpClassifier(Window, FrameWidth > 0 ? Sizes[2..^1] : Sizes[1..^1], Outputs, 0, FrameWidth, Kernel);
        for (var l = 0; l < Layers; l++)
        {
            Weights[l].CopyTo(c.Weights[l], 0);
            Biases[l].CopyTo(c.Biases[l], 0);
        }
        Mean.CopyTo(c.Mean, 0);
        Scale.CopyTo(c.Scale, 0);
        return c;
    }
}
