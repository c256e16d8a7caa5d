using System.Numerics.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// Measures activation ranges with ONNX Runtime: the wanted intermediate tensors become extra graph
/// outputs of a copy of the model, which runs on every calibration sample. A tensor's range is the
/// largest magnitude it reached (max-abs), or, below 100, that percentile of its magnitudes: clipping
/// rare outliers buys resolution for everything else (symmetric int8 needs nothing more than a magnitude).
/// </summary>
public static class ActivationCalibrator
{
    private const int HistogramBins = 4096;

    public static Dictionary<string, float> Ranges(ModelProto model, IReadOnlyList<string> tensors, IReadOnlyList<CalibrationSample> samples, string modelName, double percentile = 100)
    {
        if (samples.Count == 0) throw new InvalidInputException(modelName, "no calibration samples");
        if (percentile is <= 50 or > 100) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile in (50, 100]");
        using var session = Open(model, tensors, modelName);
        var max = new float[tensors.Count];
        Run(session, tensors, samples, modelName, (k, values) => max[k] = Math.Max(max[k], Math.Abs(TensorPrimitives.MaxMagnitude(values))));
        if (percentile >= 100) return Enumerable.Range(0, tensors.Count).ToDictionary(k => tensors[k], k => max[k], StringComparer.Ordinal);

        // Second pass: a histogram of magnitudes over [0, max] per tensor, read at the percentile.
        var histograms = new long[tensors.Count][];
        for (var k = 0; k < tensors.Count; k++) histograms[k] = new long[HistogramBins];
        Run(session, tensors, samples, modelName, (k, values) =>
        {
            if (max[k] <= 0) return;
            var h = histograms[k];
            var perBin = HistogramBins / max[k];
            foreach (var v in values) h[Math.Min(HistogramBins - 1, (int)(Math.Abs(v) * perBin))]++;
        });
        return Enumerable.Range(0, tensors.Count).ToDictionary(k => tensors[k], k => max[k] * Percentile(histograms[k], percentile), StringComparer.Ordinal);
    }

    /// <summary>
    /// Each tensor's lowest and highest value (for asymmetric quantization), or below 100 each side clipped at
    /// that percentile of its own values' magnitudes (a ReLU output's low end stays 0).
    /// </summary>
    public static Dictionary<string, (float Min, float Max)> SignedRanges(ModelProto model, IReadOnlyList<string> tensors, IReadOnlyList<CalibrationSample> samples, string modelName, double percentile = 100)
    {
        if (samples.Count == 0) throw new InvalidInputException(modelName, "no calibration samples");
        if (percentile is <= 50 or > 100) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile in (50, 100]");
        using var session = Open(model, tensors, modelName);
        var min = new float[tensors.Count];
        var max = new float[tensors.Count];
        Run(session, tensors, samples, modelName, (k, values) =>
        {
            min[k] = Math.Min(min[k], TensorPrimitives.Min(values));
            max[k] = Math.Max(max[k], TensorPrimitives.Max(values));
        });
        if (percentile >= 100) return Enumerable.Range(0, tensors.Count).ToDictionary(k => tensors[k], k => (min[k], max[k]), StringComparer.Ordinal);

        var positive = new long[tensors.Count][];
        var negative = new long[tensors.Count][];
        for (var k = 0; k < tensors.Count; k++)
        {
            positive[k] = new long[HistogramBins];
            negative[k] = new long[HistogramBins];
        }
        Run(session, tensors, samples, modelName, (k, values) =>
        {
            foreach (var v in values)
            {
                if (v > 0) positive[k][Math.Min(HistogramBins - 1, (int)(v * HistogramBins / max[k]))]++;
                else if (v < 0) negative[k][Math.Min(HistogramBins - 1, (int)(v * HistogramBins / min[k]))]++;
            }
        });
        return Enumerable.Range(0, tensors.Count).ToDictionary(
            k => tensors[k],
            k => (min[k] * Percentile(negative[k], percentile), max[k] * Percentile(positive[k], percentile)),
            StringComparer.Ordinal);
    }

    /// <summary>Where in [0, 1] of the histogram's range the percentile of its counts falls (upper bin edge).</summary>
    private static float Percentile(long[] histogram, double percentile)
    {
        var wanted = histogram.Sum() * percentile / 100;
        long seen = 0;
        var bin = 0;
        while (bin < HistogramBins - 1 && (seen += histogram[bin]) < wanted) bin++;
        return (float)(bin + 1) / HistogramBins;
    }

    /// <summary>A session on a copy of the model with the wanted tensors as extra outputs, unoptimised.</summary>
    private static InferenceSession Open(ModelProto model, IReadOnlyList<string> tensors, string modelName)
    {
        var probe = model.Clone();
        var outputs = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var t in tensors.Where(t => !outputs.Contains(t)))
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = t,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });

        // No graph optimisation: fusions must not swallow the tensors being measured.
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        try
        {
            return new InferenceSession(probe.ToByteArray(), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidInputException(modelName, $"ONNX Runtime cannot load the model for calibration ({FirstLine(e)})", e);
        }
    }

    private static void Run(InferenceSession session, IReadOnlyList<string> tensors, IReadOnlyList<CalibrationSample> samples, string modelName, Action<int, ReadOnlySpan<float>> observe)
    {
        using var runOptions = new RunOptions();
        foreach (var sample in samples)
        {
            var inputs = sample.Inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToList();
            try
            {
                using var results = session.Run(runOptions, sample.Inputs.Select(i => i.Name).ToList(), inputs, tensors);
                var k = 0;
                foreach (var r in results) observe(k++, r.GetTensorDataAsSpan<float>());
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidInputException(modelName, $"calibration run failed ({FirstLine(e)})", e);
            }
            finally
            {
                foreach (var v in inputs) v.Dispose();
            }
        }
    }

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
