using System.Numerics.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// Measures activation ranges with ONNX Runtime: the wanted intermediate tensors become extra graph
/// outputs of a copy of the model, which runs on every calibration sample; each tensor's range is the
/// largest magnitude it reached (symmetric int8 needs nothing else).
/// </summary>
public static class ActivationCalibrator
{
    public static Dictionary<string, float> MaxAbs(ModelProto model, IReadOnlyList<string> tensors, IEnumerable<CalibrationSample> samples, string modelName)
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
        InferenceSession session;
        try
        {
            session = new InferenceSession(probe.ToByteArray(), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidInputException(modelName, $"ONNX Runtime cannot load the model for calibration ({e.Message.Split('\n')[0]})", e);
        }
        using var _ = session;
        using var runOptions = new RunOptions();
        var ranges = tensors.ToDictionary(t => t, _ => 0f, StringComparer.Ordinal);
        var count = 0;
        foreach (var sample in samples)
        {
            var inputs = sample.Inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Data, i.Shape)).ToList();
            try
            {
                using var results = session.Run(runOptions, sample.Inputs.Select(i => i.Name).ToList(), inputs, tensors);
                var k = 0;
                foreach (var r in results)
                {
                    var values = r.GetTensorDataAsSpan<float>();
                    if (!values.IsEmpty) ranges[tensors[k]] = Math.Max(ranges[tensors[k]], Math.Abs(TensorPrimitives.MaxMagnitude(values)));
                    k++;
                }
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidInputException(modelName, $"calibration run failed ({e.Message.Split('\n')[0]})", e);
            }
            finally
            {
                foreach (var v in inputs) v.Dispose();
            }
            count++;
        }
        if (count == 0) throw new InvalidInputException(modelName, "no calibration samples");
        return ranges;
    }
}
