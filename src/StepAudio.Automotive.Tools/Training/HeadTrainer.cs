using System.Globalization;
using System.Numerics.Tensors;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>Optimiser and schedule for <see cref="HeadTrainer"/>.</summary>
public sealed record TrainerOptions
{
    public int MaxEpochs { get; init; } = 40;

    /// <summary>Examples drawn per epoch (class-balanced, with replacement).</summary>
    public int EpochSize { get; init; } = 20000;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The learning rate is multiplied by this after every epoch (settles the noisy late epochs).</summary>
    public double LearningRateDecay { get; init; } = 0.88;

    /// <summary>Decoupled (AdamW) weight decay on the weights, not the biases.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Stop after this many epochs without a better validation loss.</summary>
    public int Patience { get; init; } = 6;

    public int Seed { get; init; } = 1;

    /// <summary>Share of each epoch's draws for class 0 (none); the other classes share the rest equally.</summary>
    public double NoneShare { get; init; } = 0.3;

    /// <summary>Deviation of the Gaussian noise added to each standardised training input (embedding-level augmentation); 0 for none.</summary>
    public float InputNoise { get; init; }

    /// <summary>Probability of zeroing each hidden unit during training; 0 for none.</summary>
    public float Dropout { get; init; }
}

/// <summary>
/// Trains an <see cref="MlpClassifier"/>: Adam with decoupled weight decay and a per-epoch learning-rate decay, class-balanced sampling,
/// cross-entropy (sigmoid for one output), early stopping on the validation loss (the validation
/// split holds clips of the training voices, never the acceptance voices); keeps the best epoch.
/// </summary>
public static class HeadTrainer
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    public static MlpClassifier Train(MlpClassifier model, TrainingSet train, TrainingSet validation, TrainerOptions options, TextWriter log)
    {
        FitStandardisation(model, train);
        var rng = new Random(options.Seed);
        var inputSize = model.Sizes[0];
        var x = new float[inputSize];
        var acts = model.NewActivations();
        var deltas = model.NewActivations();
        var probs = new float[Math.Max(2, model.Outputs)];
        var gradW = model.Weights.Select(w => new float[w.Length]).ToArray();
        var gradB = model.Biases.Select(b => new float[b.Length]).ToArray();
        var mW = model.Weights.Select(w => new float[w.Length]).ToArray();
        var vW = model.Weights.Select(w => new float[w.Length]).ToArray();
        var mB = model.Biases.Select(b => new float[b.Length]).ToArray();
        var vB = model.Biases.Select(b => new float[b.Length]).ToArray();
        var byClass = Enumerable.Range(0, train.Classes).Select(c => new List<int>()).ToArray();
        for (var i = 0; i < train.Windows.Count; i++) byClass[train.Windows[i].Label].Add(i);
        var present = Enumerable.Range(1, train.Classes - 1).Where(c => byClass[c].Count > 0).ToArray();
        if (byClass[0].Count == 0 || present.Length == 0) throw new InvalidOperationException("training needs examples of class 0 and of at least one other class");

        var best = model.Clone();
        var bestLoss = double.PositiveInfinity;
        var sinceBest = 0;
        long step = 0;
        for (var epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            double trainLoss = 0;
            for (var done = 0; done < options.EpochSize; done += options.BatchSize)
            {
                foreach (var g in gradW) Array.Clear(g);
                foreach (var g in gradB) Array.Clear(g);
                var n = Math.Min(options.BatchSize, options.EpochSize - done);
                for (var b = 0; b < n; b++)
                {
                    var cls = rng.NextDouble() < options.NoneShare ? 0 : present[rng.Next(present.Length)];
                    var index = byClass[cls][rng.Next(byClass[cls].Count)];
                    train.Input(index, model.Window, x);
                    model.Standardise(x);
                    if (options.InputNoise > 0)
                        for (var i = 0; i < x.Length; i++) x[i] += options.InputNoise * Gaussian(rng);
                    trainLoss += Backward(model, x, cls, acts, deltas, probs, gradW, gradB, options.Dropout > 0 ? rng : null, options.Dropout);
                }
                step++;
                Adam(model, gradW, gradB, mW, vW, mB, vB, n, step, options, Math.Pow(options.LearningRateDecay, epoch - 1));
            }
            var (valLoss, valAccuracy) = Evaluate(model, validation, options.NoneShare);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch,2}: train loss {trainLoss / options.EpochSize:0.0000}, validation loss {valLoss:0.0000}, balanced accuracy {valAccuracy:P2}"));
            if (valLoss < bestLoss - 1e-4)
            {
                bestLoss = valLoss;
                best = model.Clone();
                sinceBest = 0;
            }
            else if (++sinceBest >= options.Patience)
            {
                log.WriteLine($"early stop: no better validation loss for {options.Patience} epochs");
                break;
            }
        }
        return best;
    }

    /// <summary>Per-dimension mean and 1/deviation over every embedding of the training clips.</summary>
    private static void FitStandardisation(MlpClassifier model, TrainingSet train)
    {
        var d = model.Mean.Length;
        var sum = new double[d];
        var sq = new double[d];
        long n = 0;
        foreach (var clip in train.Clips)
            for (var r = 0; r < clip.Embeddings.Length / d; r++, n++)
                for (var i = 0; i < d; i++)
                {
                    var v = clip.Embeddings[(r * d) + i];
                    sum[i] += v;
                    sq[i] += v * (double)v;
                }
        for (var i = 0; i < d; i++)
        {
            var mean = sum[i] / n;
            var std = Math.Sqrt(Math.Max(1e-8, (sq[i] / n) - (mean * mean)));
            model.Mean[i] = (float)mean;
            model.Scale[i] = (float)(1 / std);
        }
    }

    /// <summary>The loss of one standardised input and the gradients of every layer's weights (no dropout): what the training step uses, for checking.</summary>
    public static (double Loss, float[][] WeightGradients) LossAndGradient(MlpClassifier model, float[] x, int label)
    {
        var gradW = model.Weights.Select(w => new float[w.Length]).ToArray();
        var gradB = model.Biases.Select(b => new float[b.Length]).ToArray();
        var loss = Backward(model, x, label, model.NewActivations(), model.NewActivations(), new float[Math.Max(2, model.Outputs)], gradW, gradB, null, 0);
        return (loss, gradW);
    }

    private static float Gaussian(Random rng) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));

    private static double Backward(MlpClassifier model, float[] x, int label, float[][] acts, float[][] deltas, float[] probs, float[][] gradW, float[][] gradB, Random? dropoutRng, float dropout)
    {
        model.Forward(x, acts, dropoutRng, dropout);
        var logits = acts[^1];
        var outDelta = deltas[^1];
        double loss;
        if (model.Outputs == 1)
        {
            MlpClassifier.Probabilities(logits, probs);
            var y = label > 0 ? 1f : 0f;
            outDelta[0] = probs[0] - y;
            loss = -Math.Log(Math.Max(1e-7, label > 0 ? probs[0] : 1 - probs[0]));
        }
        else
        {
            MlpClassifier.Probabilities(logits, probs.AsSpan(0, model.Outputs));
            for (var j = 0; j < model.Outputs; j++) outDelta[j] = probs[j] - (j == label ? 1f : 0f);
            loss = -Math.Log(Math.Max(1e-7, probs[label]));
        }
        for (var l = model.Layers - 1; l >= 0; l--)
        {
            var (n, m) = model.Shape(l);
            var stride = model.Stride(l);
            ReadOnlySpan<float> input = l == 0 ? x : acts[l - 1];
            var delta = deltas[l];
            var w = model.Weights[l];
            var gw = gradW[l];
            if (l > 0) Array.Clear(deltas[l - 1]);
            // A frame layer applies the same weights to every embedding: its gradients sum over them.
            for (var k = 0; k < delta.Length; k++)
            {
                var dj = delta[k];
                if (dj == 0) continue;
                var (t, j) = Math.DivRem(k, n);
                gradB[l][j] += dj;
                var row = gw.AsSpan(j * m, m);
                TensorPrimitives.MultiplyAdd(input.Slice(t * stride, m), dj, row, row);
                if (l > 0)
                {
                    var below = deltas[l - 1].AsSpan(t * m, m);
                    TensorPrimitives.MultiplyAdd(w.AsSpan(j * m, m), dj, below, below);
                }
            }
            if (l > 0)
            {
                // ReLU (and dropout: a dropped unit is 0, a kept one was scaled by 1 / (1 − p)).
                var below = deltas[l - 1];
                var a = acts[l - 1];
                var keep = dropoutRng is not null && dropout > 0 ? 1f / (1 - dropout) : 1f;
                for (var i = 0; i < below.Length; i++) below[i] = a[i] <= 0 ? 0 : below[i] * keep;
            }
        }
        return loss;
    }

    private static void Adam(MlpClassifier model, float[][] gradW, float[][] gradB, float[][] mW, float[][] vW, float[][] mB, float[][] vB, int batch, long step, TrainerOptions o, double schedule)
    {
        var c1 = 1 - Math.Pow(Beta1, step);
        var c2 = 1 - Math.Pow(Beta2, step);
        var lr = (float)(o.LearningRate * schedule * Math.Sqrt(c2) / c1);
        var decay = (float)(o.LearningRate * schedule * o.WeightDecay);
        for (var l = 0; l < model.Layers; l++)
        {
            Update(model.Weights[l], gradW[l], mW[l], vW[l], batch, lr, decay);
            Update(model.Biases[l], gradB[l], mB[l], vB[l], batch, lr, 0);
        }
    }

    private static void Update(float[] p, float[] g, float[] m, float[] v, int batch, float lr, float decay)
    {
        var inv = 1f / batch;
        for (var i = 0; i < p.Length; i++)
        {
            var gi = g[i] * inv;
            m[i] = (float)((Beta1 * m[i]) + ((1 - Beta1) * gi));
            v[i] = (float)((Beta2 * v[i]) + ((1 - Beta2) * gi * gi));
            p[i] -= (lr * m[i] / (MathF.Sqrt(v[i]) + (float)Epsilon)) + (decay * p[i]);
        }
    }

    /// <summary>Class-balanced loss (class 0 weighted by the none share) and balanced accuracy on every window.</summary>
    public static (double Loss, double BalancedAccuracy) Evaluate(MlpClassifier model, TrainingSet set, double noneShare)
    {
        var x = new float[model.Sizes[0]];
        var acts = model.NewActivations();
        var probs = new float[Math.Max(2, model.Outputs)];
        var loss = new double[set.Classes];
        var correct = new int[set.Classes];
        var count = new int[set.Classes];
        for (var i = 0; i < set.Windows.Count; i++)
        {
            var label = set.Windows[i].Label;
            set.Input(i, model.Window, x);
            model.Standardise(x);
            model.Forward(x, acts);
            int predicted;
            double p;
            if (model.Outputs == 1)
            {
                MlpClassifier.Probabilities(acts[^1], probs);
                predicted = probs[0] >= 0.5f ? 1 : 0;
                p = label > 0 ? probs[0] : 1 - probs[0];
            }
            else
            {
                MlpClassifier.Probabilities(acts[^1], probs.AsSpan(0, model.Outputs));
                predicted = TensorPrimitives.IndexOfMax(probs.AsSpan(0, model.Outputs));
                p = probs[label];
            }
            loss[label] -= Math.Log(Math.Max(1e-7, p));
            count[label]++;
            if (predicted == label) correct[label]++;
        }
        var classes = Enumerable.Range(0, set.Classes).Where(c => count[c] > 0).ToList();
        var others = classes.Where(c => c > 0).ToList();
        double weighted = 0;
        foreach (var c in classes)
            weighted += (c == 0 ? noneShare : (1 - noneShare) / others.Count) * loss[c] / count[c];
        var accuracy = classes.Average(c => (double)correct[c] / count[c]);
        return (weighted, accuracy);
    }
}
