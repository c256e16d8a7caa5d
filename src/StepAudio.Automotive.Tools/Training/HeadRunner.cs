using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Runs an exported head (ours or a pretrained openWakeWord one) in ONNX Runtime over every step of
/// an embedded clip, as the zone does at run time: one window of the last N embeddings per step.
/// </summary>
public sealed class HeadRunner : IDisposable
{
    private readonly OnnxModel _model;
    private readonly OnnxTensor _input;
    private readonly OnnxTensor _output;

    public HeadRunner(string path)
    {
        _model = new OnnxModel(path, new InferenceOptions());
        _input = _model.Inputs.Values.First();
        _output = _model.Outputs.Values.First();
        if (_input.Shape.Count != 3 || _input.Shape[2] != SpeechEmbedder.Size)
            throw new InvalidInputException(path, $"expected a head input [1, N, {SpeechEmbedder.Size}], found [{string.Join(",", _input.Shape)}]");
        Window = (int)_input.Shape[1];
        Outputs = _output.Floats.Length;
    }

    public int Window { get; }

    public int Outputs { get; }

    /// <summary>Outputs per step for steps <see cref="EmbeddingExtractor.FirstStep"/>.. of the clip, [steps × outputs].</summary>
    public float[] Run(ClipFeatures clip)
    {
        var steps = clip.Steps - EmbeddingExtractor.FirstStep;
        var result = new float[steps * Outputs];
        for (var s = 0; s < steps; s++)
        {
            clip.Window(EmbeddingExtractor.FirstStep + s, Window, _input.Floats);
            _model.Run();
            _output.Floats.CopyTo(result.AsSpan(s * Outputs, Outputs));
        }
        return result;
    }

    public void Dispose() => _model.Dispose();
}
