using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Emotion;

/// <summary>
/// The plug-in point for a trained speech-emotion classifier, run through <see cref="OnnxModel"/>
/// (so it gets the same TensorRT → CUDA → CPU chain as every model). It turns the class
/// probabilities into agitation and arousal and blends them into the prosody estimate, keeping
/// prosody's reliability (speech present, SNR). Buffers are bound once; a classification allocates nothing.
/// </summary>
public sealed class SpeechEmotionModel : IDisposable
{
    private readonly OnnxModel _model;
    private readonly OnnxTensor _input;
    private readonly OnnxTensor _output;
    private readonly bool[] _agitated;
    private readonly bool[] _aroused;
    private readonly double _weight;

    public SpeechEmotionModel(SpeechEmotionModelOptions options, InferenceOptions inference)
    {
        options.Validate();
        if (options.Path is null) throw new InvalidInputException("StepAudio:Emotion:Model:Path", "no model path given");
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal) { [options.OutputName] = [1, options.Labels.Count] };
        if (!options.InputIsEmbeddings) shapes[options.InputName] = [1, options.WindowSamples];
        _model = new OnnxModel(options.Path, inference, shapes);
        try
        {
            if (!_model.Inputs.ContainsKey(options.InputName))
                throw new InvalidInputException(options.Path, $"no input '{options.InputName}' (has {string.Join(", ", _model.Inputs.Keys)})");
            if (!_model.Outputs.ContainsKey(options.OutputName))
                throw new InvalidInputException(options.Path, $"no output '{options.OutputName}' (has {string.Join(", ", _model.Outputs.Keys)})");
            _input = _model.Input(options.InputName);
            _output = _model.Output(options.OutputName);
            if (_output.Floats.Length != options.Labels.Count)
                throw new InvalidInputException(options.Path, $"output '{options.OutputName}' has {_output.Floats.Length} values, Labels has {options.Labels.Count}");
        }
        catch
        {
            _model.Dispose();
            throw;
        }
        Labels = options.Labels;
        _agitated = [.. options.Labels.Select(l => options.AgitatedLabels.Contains(l, StringComparer.Ordinal))];
        _aroused = [.. options.Labels.Select(l => options.ArousedLabels.Contains(l, StringComparer.Ordinal) || options.AgitatedLabels.Contains(l, StringComparer.Ordinal))];
        _weight = options.Weight;
    }

    public IReadOnlyList<string> Labels { get; }

    /// <summary>Samples (or embedding values) the model's input takes.</summary>
    public int InputLength => _input.Floats.Length;

    /// <summary>The class probabilities of the last <see cref="Classify"/>.</summary>
    public ReadOnlySpan<float> Probabilities => _output.Floats;

    /// <summary>Runs the model on a window of exactly <see cref="InputLength"/> values.</summary>
    public ReadOnlySpan<float> Classify(ReadOnlySpan<float> window)
    {
        if (window.Length != InputLength) throw new ArgumentException($"the model takes {InputLength} values, got {window.Length}", nameof(window));
        window.CopyTo(_input.Floats);
        _model.Run();
        return _output.Floats;
    }

    /// <summary>The prosody estimate with the model's last classification blended in.</summary>
    public VoiceEmotion Blend(in VoiceEmotion prosody)
    {
        double agitation = 0, arousal = 0, total = 0;
        var p = _output.Floats;
        for (var i = 0; i < p.Length; i++)
        {
            total += p[i];
            if (_agitated[i]) agitation += p[i];
            if (_aroused[i]) arousal += p[i];
        }
        if (total <= 0) return prosody;
        agitation /= total;
        // Model arousal on the prosody scale: 0.5 when no aroused class is likely, 1 when certain.
        arousal = 0.5 + 0.5 * arousal / total;
        return prosody with
        {
            Agitation = (1 - _weight) * prosody.Agitation + _weight * agitation,
            Arousal = (1 - _weight) * prosody.Arousal + _weight * arousal,
        };
    }

    public void Dispose() => _model.Dispose();
}
