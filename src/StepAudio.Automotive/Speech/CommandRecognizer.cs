using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// A zone's command head and its decision rule. A window opens on a wake word or push-to-talk; on each
/// 80 ms step while it is open the head scores the zone's last <see cref="WindowLength"/> embeddings.
/// When an utterance in the window ends (a step with speech, then <see cref="CommandOptions.EndSteps"/>
/// steps without, as the voice detector says), the probabilities of those steps are averaged and
/// <see cref="CommandEndRule"/> decides: the best command at or above <see cref="CommandOptions.Floor"/>
/// (<see cref="CommandOptions.EscalationFloor"/> for an escalating intent) fires if the utterance lasted at
/// least <see cref="CommandOptions.MinCommandSeconds"/>, else the zone keeps listening for another utterance. With <see cref="CommandOptions.Patience"/>
/// above 0 an intent also fires early once the same command class has been the top one at or above
/// <see cref="CommandOptions.Threshold"/> for that many consecutive steps (the same floors; the utterance at least twice the shortest command). One intent closes the
/// window; a window that runs out without one is a no-match. Allocates nothing per step.
/// </summary>
public sealed class CommandRecognizer : IDisposable
{
    private readonly OnnxModel _model;
    private readonly OnnxTensor _input;
    private readonly OnnxTensor _probabilities;
    private readonly int _windowSteps;
    private long _openedStep;
    private int _candidate;
    private int _streak;
    private float _streakSum;
    private bool _earlyChecked;
    private readonly float[] _endSum;
    private int _endCount;
    private int _quietSteps;
    private readonly CommandEndRule _rule;
    private long _onsetStep;
    private long _lastSpeechStep;
    private int _pause;
    private readonly CommandTranscriber? _transcriber;
    private readonly ILogger? _logger;

    // The zone's last seconds of audio for the transcriber, in the zone's sample clock (null without one).
    private readonly SampleRing? _history;
    private readonly float[] _utterance;

    /// <summary>Audio kept for the transcriber: the longest utterance it is given.</summary>
    public const double HistorySeconds = 8;

    /// <summary>Audio before the utterance's first speech step and after its last that the transcriber also hears (the voice detector's edges are late and early).</summary>
    public const double PaddingSeconds = 0.15;

    public CommandRecognizer(CommandHead head, InferenceOptions inference, ILogger? logger = null)
    {
        Labels = head.Labels;
        Options = head.Options;
        _model = new OnnxModel(head.Path, inference, logger: logger);
        try
        {
            if (_model.Inputs.Count != 1 || _model.Outputs.Count != 1)
                throw new InvalidInputException(head.Path, $"a command head has one input [1, T, {SpeechEmbedder.Size}] and one output [1, classes]");
            _input = _model.Inputs.Values.First();
            _probabilities = _model.Outputs.Values.First();
            if (_input.Shape.Count != 3 || _input.Shape[0] != 1 || _input.Shape[2] != SpeechEmbedder.Size)
                throw new InvalidInputException(head.Path, $"expected input [1, T, {SpeechEmbedder.Size}], found [{string.Join(",", _input.Shape)}]");
            WindowLength = (int)_input.Shape[1];
            if (WindowLength != Labels.Window)
                throw new InvalidInputException(head.Path, $"head reads {WindowLength} embeddings but {Labels.Path} says window {Labels.Window}");
            if (WindowLength > ZoneSpeech.MaxHeadWindow)
                throw new InvalidInputException(head.Path, $"head reads {WindowLength} embeddings but a zone keeps {ZoneSpeech.MaxHeadWindow}");
            if (_probabilities.Floats.Length != Labels.Labels.Count)
                throw new InvalidInputException(head.Path, $"head has {_probabilities.Floats.Length} outputs but {Labels.Path} lists {Labels.Labels.Count} labels");
        }
        catch
        {
            _model.Dispose();
            throw;
        }
        _endSum = new float[Labels.Labels.Count];
        _transcriber = head.Transcriber;
        _logger = logger;
        _history = _transcriber is null ? null : new SampleRing((int)(HistorySeconds * SpeechSteps.SampleRate));
        _utterance = new float[_history?.Capacity ?? 0];
        _rule = CommandEndRule.For(Options, Labels);
        _windowSteps = Math.Max(1, (int)Math.Round(Options.WindowSeconds * SpeechSteps.PerSecond));
        _model.WarmUp();
    }

    public CommandLabels Labels { get; }

    public CommandOptions Options { get; }

    /// <summary>The ONNX Runtime session behind the head, for status.</summary>
    public OnnxModel Model => _model;

    /// <summary>Embeddings the head reads.</summary>
    public int WindowLength { get; }

    /// <summary>A command window is open: the zone is listening for a command.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The class decided on the last step that returned <see cref="CommandStep.Intent"/>.</summary>
    public int Class { get; private set; }

    /// <summary>Mean probability of the decided class over the steps that fired it.</summary>
    public float Confidence { get; private set; }

    /// <summary>The transcriber deciding instead of the head; null: the head decides.</summary>
    public CommandTranscriber? Transcriber => _transcriber;

    /// <summary>The head's probabilities from the last step (class 0 = none).</summary>
    public ReadOnlySpan<float> Probabilities => _probabilities.Floats;

    /// <summary>Opens (or restarts) a window: the next step is its first.</summary>
    public void Open(long nextStep)
    {
        IsOpen = true;
        _openedStep = nextStep;
        _candidate = 0;
        _streak = 0;
        _streakSum = 0;
        _earlyChecked = false;
        _endCount = 0;
        _quietSteps = 0;
        _onsetStep = -1;
        _pause = 0;
    }

    /// <summary>The end rule with its gates (floors per class, shortest command).</summary>
    public CommandEndRule Rule => _rule;

    /// <summary>How long the current utterance has been heard: from its onset (after a pause, or the window's first step) to its last speech step.</summary>
    private double CommandSeconds => _onsetStep < 0 ? 0 : (_lastSpeechStep - _onsetStep + 1) * SpeechSteps.Seconds;

    /// <summary>Where the current utterance's last speech step ends, in the zone's samples; −1 before the window heard speech.</summary>
    public long SpeechEndSample => _onsetStep < 0 ? -1 : (_lastSpeechStep + 1) * SpeechSteps.Samples;

    public void Close() => IsOpen = false;

    /// <summary>Closes the window and forgets the audio heard: the zone's stream starts again.</summary>
    public void Reset()
    {
        IsOpen = false;
        _history?.Clear();
    }

    /// <summary>The zone's audio as it arrives (16 kHz, [-1, 1]), kept for the transcriber; nothing without one.</summary>
    public void Hear(ReadOnlySpan<float> samples) => _history?.Write(samples);

    /// <summary>The zone's last <paramref name="seconds"/> of audio (what the ring still holds of it), oldest first; valid until the next call or decision.</summary>
    public ReadOnlySpan<float> Recent(double seconds)
    {
        if (_history is null) return [];
        var length = (int)Math.Min(_history.Written - _history.Oldest, (long)(seconds * SpeechSteps.SampleRate));
        var audio = _utterance.AsSpan(0, length);
        _history.CopyTo(_history.Written - length, audio);
        return audio;
    }

    /// <summary>
    /// Scores one step's window (the zone's last <see cref="WindowLength"/> embeddings, oldest first)
    /// while the window is open. <paramref name="streamStep"/> is the step's index in the stream;
    /// <paramref name="speech"/> says whether the voice detector heard speech during the step.
    /// </summary>
    public CommandStep Step(ReadOnlySpan<float> window, long streamStep, bool speech)
    {
        if (!IsOpen) return CommandStep.Closed;
        if (speech)
        {
            if (_onsetStep < 0 || _pause >= CommandEndRule.PauseSteps) _onsetStep = streamStep;
            _lastSpeechStep = streamStep;
            _pause = 0;
        }
        else
        {
            _pause++;
        }
        window.CopyTo(_input.Floats);
        _model.Run();
        var p = _probabilities.Floats;
        Track(p);
        if (_transcriber is not null) return StepTranscriber(streamStep, speech, p);
        if (SureEarly) return Fire(_candidate, _streakSum / _streak);
        if (EndOfUtterance(p, speech))
        {
            var mean = EndMean();
            var decided = _rule.Decide(mean, CommandSeconds);
            if (decided > 0) return Fire(decided, mean[decided]);
        }
        if (streamStep - _openedStep + 1 >= _windowSteps)
        {
            IsOpen = false;
            return CommandStep.NoMatch;
        }
        return CommandStep.Listening;
    }

    private CommandStep Fire(int decided, float confidence)
    {
        Class = decided;
        Confidence = confidence;
        IsOpen = false;
        return CommandStep.Intent;
    }

    /// <summary>The head's mean probabilities over the utterance's last speech step and the quiet steps after it; the sum starts again.</summary>
    private Span<float> EndMean()
    {
        var mean = _endSum.AsSpan();
        TensorPrimitives.Multiply(mean, 1f / _endCount, mean);
        _endCount = 0;
        return mean;
    }

    /// <summary>Follows the top command class's run of steps at or above <see cref="CommandOptions.Threshold"/> (the early rule).</summary>
    private void Track(ReadOnlySpan<float> p)
    {
        var top = 1;
        for (var c = 2; c < p.Length; c++)
            if (p[c] > p[top]) top = c;
        if (p[top] >= Options.Threshold)
        {
            if (top != _candidate)
            {
                _candidate = top;
                _streak = 0;
                _streakSum = 0;
                _earlyChecked = false;
            }
            _streak++;
            _streakSum += p[top];
        }
        else
        {
            _candidate = 0;
            _streak = 0;
            _streakSum = 0;
            _earlyChecked = false;
        }
    }

    /// <summary>The head has been sure of one command for <see cref="CommandOptions.Patience"/> steps, and the end rule's gates allow it early.</summary>
    private bool SureEarly => Options.Patience > 0 && _streak >= Options.Patience && _rule.AllowsEarly(_candidate, _streakSum / _streak, CommandSeconds);

    /// <summary>The transcriber's turn: at an utterance's end it scores the grammar on the utterance's audio;
    /// before the end, when the head is sure early, once per run of sure steps on the audio so far, and fires only if it names the head's command (<see cref="CommandOptions.EarlyAgreedExtraDeficit"/>).</summary>
    private CommandStep StepTranscriber(long streamStep, bool speech, ReadOnlySpan<float> p)
    {
        // Another seat talking on past the command keeps this zone's voice detector on: its end comes late.
        if (SureEarly && !_earlyChecked)
        {
            _earlyChecked = true;
            // The transcriber must name the head's command on the audio so far (cut mid-talk: the head's agreement buys less).
            var decided = Transcribe(streamStep, p, early: true, out var confidence);
            if (decided == _candidate) return Fire(decided, confidence);
        }
        if (EndOfUtterance(p, speech))
        {
            var mean = EndMean();
            if (CommandSeconds >= Options.MinCommandSeconds)
            {
                var decided = Transcribe(streamStep, mean, early: false, out var confidence);
                if (decided > 0) return Fire(decided, confidence);
                if (_transcriber!.LastDeficit > Options.TalkDeficit && streamStep - _openedStep + 1 < _windowSteps) return CommandStep.Talk;
            }
        }
        if (streamStep - _openedStep + 1 >= _windowSteps)
        {
            IsOpen = false;
            return CommandStep.NoMatch;
        }
        return CommandStep.Listening;
    }

    /// <summary>The transcriber's decision on the current utterance's audio with the head's probabilities <paramref name="head"/>; before the end (<paramref name="early"/>) with <see cref="CommandOptions.EarlyAgreedExtraDeficit"/>; logged.</summary>
    private int Transcribe(long streamStep, ReadOnlySpan<float> head, bool early, out float confidence)
    {
        var audio = Utterance();
        var decided = _transcriber!.Decide(audio, head, out confidence, early ? Options.EarlyAgreedExtraDeficit : Options.AgreedExtraDeficit);
        if (_logger?.IsEnabled(LogLevel.Information) == true)
            _logger.LogInformation("Command at step {Step} ({Moment}, {Seconds:F2} s of audio): heard '{Transcript}', best phrase '{Phrase}' {Deficit:F2} nats/token short, head {Head:F2} → {Decision}",
                streamStep, early ? "head sure early" : "utterance end", audio.Length / (double)SpeechSteps.SampleRate, _transcriber.LastTranscript, Labels.Labels[_transcriber.LastBest].Text,
                _transcriber.LastDeficit, head[_transcriber.LastBest], decided > 0 ? Labels.Labels[decided].Text : "none");
        return decided;
    }

    /// <summary>The current utterance's audio, from its onset step to its last speech step, padded; what the ring still holds of it.</summary>
    private ReadOnlySpan<float> Utterance()
    {
        var pad = (long)(PaddingSeconds * SpeechSteps.SampleRate);
        var end = Math.Min(_history!.Written, SpeechEndSample + pad);
        var start = Math.Max(_history.Oldest, (_onsetStep * SpeechSteps.Samples) - pad);
        var audio = _utterance.AsSpan(0, (int)Math.Max(0, end - start));
        if (!audio.IsEmpty) _history.CopyTo(start, audio);
        return audio;
    }

    /// <summary>
    /// Sums the probabilities from the utterance's last speech step on; true on the
    /// <see cref="CommandOptions.EndSteps"/>-th quiet step after it (the sum then holds those steps).
    /// </summary>
    private bool EndOfUtterance(ReadOnlySpan<float> p, bool speech)
    {
        if (speech)
        {
            p.CopyTo(_endSum);
            _endCount = 1;
            _quietSteps = 0;
            return false;
        }
        if (_endCount == 0) return false;
        TensorPrimitives.Add(_endSum, p, _endSum);
        _endCount++;
        return ++_quietSteps >= Options.EndSteps;
    }

    public void Dispose() => _model.Dispose();
}

/// <summary>What one step of a command window decided.</summary>
public enum CommandStep
{
    /// <summary>No window is open.</summary>
    Closed,

    /// <summary>Still listening.</summary>
    Listening,

    /// <summary>The transcriber heard an utterance that is talk, no command (<see cref="CommandOptions.TalkDeficit"/>); still listening.</summary>
    Talk,

    /// <summary>An intent fired; the window is closed.</summary>
    Intent,

    /// <summary>The window ran out without an intent; it is closed.</summary>
    NoMatch,
}

/// <summary>
/// A command head to run in every zone: the .onnx, its validated labels, and the decision rule; with a
/// <see cref="Transcriber"/> (shared by the zones; its owner disposes it) that decides instead of the head.
/// </summary>
public sealed record CommandHead(string Path, CommandLabels Labels, CommandOptions Options, CommandTranscriber? Transcriber = null)
{
    /// <summary>
    /// The head for <paramref name="options"/>: <see cref="CommandOptions.Model"/> is an .onnx path or a
    /// model id of <paramref name="store"/>; its labels file is beside it.
    /// </summary>
    /// <exception cref="InvalidInputException">Unknown id, missing or corrupt file, labels that do not match the grammar.</exception>
    public static CommandHead Resolve(CommandOptions options, ModelStore store, string setting = "StepAudio:Commands:Model")
    {
        string path;
        var labels = (string?)null;
        if (File.Exists(options.Model) || options.Model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            path = options.Model;
        }
        else
        {
            try
            {
                path = store.Require(options.Model);
            }
            catch (ArgumentException e)
            {
                throw new InvalidInputException(setting, $"'{options.Model}' is neither a model id nor an .onnx file ({e.Message})");
            }
            // A trained head's labels are pinned in the manifest too (id "<head>.labels"): checked by SHA-256.
            if (store.Manifest.TrainedModel(options.Model + ".labels") is { } pinned) labels = store.RequireTrained(pinned);
        }
        if (!File.Exists(path)) throw new InvalidInputException(path, "command head not found");
        return new CommandHead(path, CommandLabels.Load(labels ?? CommandLabels.PathFor(path)), options);
    }
}
