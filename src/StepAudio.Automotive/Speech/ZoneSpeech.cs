using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// The speech stage of one zone: Silero VAD on every 32 ms chunk, the mel front end on every 80 ms
/// step, and, only while someone speaks (or just spoke), the speech embedding and the keyword heads
/// that share it. Takes blocks of any length; allocates nothing per block.
/// </summary>
public sealed class ZoneSpeech : IDisposable
{
    /// <summary>Embeddings kept per zone (5.12 s): the longest head input it accepts.</summary>
    public const int MaxHeadWindow = 64;

    private readonly SileroVad _vad;
    private readonly MelSpectrogram _mel;
    private readonly SpeechEmbedder _embedder;
    private readonly List<WakeWordDetector> _heads = [];
    private readonly float[] _vadChunk = new float[SileroVad.ChunkSamples];
    private readonly float[] _step = new float[SpeechSteps.Samples];
    private readonly float[] _frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
    private int _vadFill;
    private int _stepFill;
    private long _lastSpeechStep = long.MinValue / 2;
    private readonly CommandRecognizer? _command;
    private long _commandOpenedSample;
    private long _commandSpeechStart = -1;
    private long _commandSpeechEnd = -1;
    private bool _wasSpeech;

    /// <summary>The voice detector heard speech (a chunk at or above <see cref="CommandOptions.SpeechProbability"/>) during the current 80 ms step: the command end rule waits for steps without.</summary>
    private bool _stepHeardSpeech;

    // Hops of the current step whose sound the localizer gave to this zone, and to another seat or a loudspeaker
    // alone; steps in a row with only the latter (see CommandOptions.OtherVoiceSteps).
    private int _stepOwnHops;
    private int _stepOtherHops;
    private int _otherVoiceSteps;

    public ZoneSpeech(string zone, SpeechModelPaths models, IReadOnlyList<(string HeadPath, WakeWordOptions Options)> heads, InferenceOptions inference, ILogger? logger = null, CommandHead? command = null)
    {
        Zone = zone;
        try
        {
            _vad = new SileroVad(models.Vad, inference, logger);
            _mel = new MelSpectrogram(models.Melspectrogram, inference, logger);
            _embedder = new SpeechEmbedder(models.Embedding, inference, historyLength: MaxHeadWindow, logger);
            foreach (var (path, options) in heads)
                _heads.Add(new WakeWordDetector(path, _embedder, options, inference, logger));
            if (command is not null) _command = new CommandRecognizer(command, inference, logger);
        }
        catch
        {
            Dispose();
            throw;
        }
        HoldSteps = _heads.Count > 0 ? _heads.Max(h => h.WindowLength) : 16;
    }

    public string Zone { get; }

    /// <summary>
    /// Steps the heavy models keep running after the voice detector last heard speech: a keyword
    /// that ends a phrase is scored over its whole window before the zone goes quiet.
    /// </summary>
    public int HoldSteps { get; init; }

    /// <summary>Samples consumed; stream time of the zone is this / 16000.</summary>
    public long Samples { get; private set; }

    /// <summary>80 ms steps consumed.</summary>
    public long Steps { get; private set; }

    /// <summary>Steps on which the embedding and the heads ran (the rest were gated off by the VAD).</summary>
    public long ActiveSteps { get; private set; }

    public SileroVad Vad => _vad;

    public IReadOnlyList<WakeWordDetector> Heads => _heads;

    /// <summary>The command head of this zone; null when commands are off.</summary>
    public CommandRecognizer? Command => _command;

    /// <summary>Every model this zone runs, features first.</summary>
    public IEnumerable<OnnxModel> Models =>
        new[] { _vad.Model, _mel.Model, _embedder.Model }.Concat(_heads.Select(h => h.Model)).Concat(_command is null ? [] : [_command.Model]);

    /// <summary>Raised on the step a keyword fires, with the stream time of that step's end.</summary>
    public event Action<WakeWordDetection>? WakeWord;

    /// <summary>Raised on the step a command window ends, by an intent or by running out.</summary>
    public event Action<CommandDecision>? CommandDecided;

    /// <summary>Raised when the command window heard talk that is no command (the transcriber's <see cref="CommandStep.Talk"/>).</summary>
    public event Action? TalkHeard;

    /// <summary>
    /// Opens a command window from the next step (after a wake word or push-to-talk in this zone); an
    /// open one restarts. While it is open the embedding runs on every step whatever the voice detector
    /// says, so the head sees the real end of the command. Returns false when commands are off.
    /// </summary>
    public bool OpenCommandWindow()
    {
        if (_command is null) return false;
        // A zone that has been quiet holds old embeddings (maybe of an earlier command): the embedder
        // replaces them by the quiet it hears now at the next step (see SpeechEmbedder.CatchUp).
        _command.Open(Steps);
        _commandOpenedSample = Samples;
        _commandSpeechStart = _commandSpeechEnd = -1;
        return true;
    }

    /// <summary>Closes an open command window without a decision (the zone was muted).</summary>
    public void CancelCommandWindow() => _command?.Close();

    /// <summary>
    /// Consumes one block of this zone's 16 kHz samples in [-1, 1]; <paramref name="voice"/> is whose voice the
    /// localizer heard in it (one hop's block: the speech stage passes the zone map's verdict).
    /// </summary>
    public void Process(ReadOnlySpan<float> samples, HopVoice voice = HopVoice.Unknown)
    {
        _command?.Hear(samples);
        if (voice == HopVoice.Own) _stepOwnHops++;
        else if (voice == HopVoice.Other) _stepOtherHops++;
        while (!samples.IsEmpty)
        {
            // Both clocks advance over the same samples; the step boundary is the later one to act.
            var n = Math.Min(Math.Min(samples.Length, _vadChunk.Length - _vadFill), _step.Length - _stepFill);
            samples[..n].CopyTo(_vadChunk.AsSpan(_vadFill));
            samples[..n].CopyTo(_step.AsSpan(_stepFill));
            _vadFill += n;
            _stepFill += n;
            Samples += n;
            samples = samples[n..];
            if (_vadFill == _vadChunk.Length)
            {
                _vad.Process(_vadChunk);
                _vadFill = 0;
                if (_command is not null && _vad.Probability >= _command.Options.SpeechProbability) _stepHeardSpeech = true;
                if (_vad.IsSpeech)
                {
                    _lastSpeechStep = Steps;
                    if (_command is { IsOpen: true })
                    {
                        // The command's speech as the voice detector heard it: the first onset in the window
                        // (else the window's opening: the command ran on from the wake word) to the last chunk.
                        if (_commandSpeechStart < 0 && !_wasSpeech) _commandSpeechStart = Samples - SileroVad.ChunkSamples;
                        _commandSpeechEnd = Samples;
                    }
                }
                _wasSpeech = _vad.IsSpeech;
            }
            if (_stepFill == _step.Length)
            {
                StepFeatures();
                _stepFill = 0;
            }
        }
    }

    public void Reset()
    {
        _vad.Reset();
        _mel.Reset();
        _embedder.Reset();
        foreach (var h in _heads) h.Reset();
        _command?.Reset();
        _vadFill = _stepFill = 0;
        _wasSpeech = _stepHeardSpeech = false;
        _stepOwnHops = _stepOtherHops = _otherVoiceSteps = 0;
        Samples = Steps = ActiveSteps = 0;
        _lastSpeechStep = long.MinValue / 2;
    }

    public void Dispose()
    {
        foreach (var h in _heads) h.Dispose();
        _command?.Dispose();
        _embedder?.Dispose();
        _mel?.Dispose();
        _vad?.Dispose();
    }

    private void StepFeatures()
    {
        _mel.Step(_step, _frames);
        _otherVoiceSteps = _stepOwnHops == 0 && _stepOtherHops > 0 ? _otherVoiceSteps + 1 : 0;
        _stepOwnHops = _stepOtherHops = 0;
        var listening = _command is { IsOpen: true };
        var active = listening || Steps - _lastSpeechStep <= HoldSteps;
        if (active)
        {
            _embedder.CatchUp(SpeechEmbedder.MaxCatchUpSteps);
            _embedder.Step(_frames);
            ActiveSteps++;
            foreach (var head in _heads)
                if (head.Step(Steps))
                    WakeWord?.Invoke(new WakeWordDetection(Zone, head.Options.Keyword, head.Score, (double)Samples / SpeechSteps.SampleRate));
            if (listening) StepCommand();
        }
        else
        {
            _embedder.Skip(_frames);
        }
        _stepHeardSpeech = false;
        Steps++;
    }

    private void StepCommand()
    {
        // The voice detector hears whoever talks into the beam; once the localizer has heard only other voices for
        // OtherVoiceSteps steps, this zone's talker has finished.
        var otherVoice = _command!.Options.OtherVoiceSteps > 0 && _otherVoiceSteps >= _command.Options.OtherVoiceSteps;
        var outcome = _command.Step(_embedder.Latest(_command.WindowLength), Steps, _stepHeardSpeech && !otherVoice);
        if (outcome == CommandStep.Talk) TalkHeard?.Invoke();
        if (outcome is not (CommandStep.Intent or CommandStep.NoMatch)) return;
        var start = _commandSpeechStart >= 0 ? _commandSpeechStart : _commandOpenedSample;
        // The voice detector's last speech, unless another voice kept it on past the talker's last step.
        var end = _commandSpeechEnd >= 0 ? Math.Min(_commandSpeechEnd, _command.SpeechEndSample >= 0 ? _command.SpeechEndSample : Samples) : Samples;
        CommandDecided?.Invoke(new CommandDecision(
            outcome == CommandStep.Intent ? _command.Class : 0,
            outcome == CommandStep.Intent ? _command.Confidence : 0,
            _commandOpenedSample,
            start,
            end,
            Samples));
    }
}

/// <summary>
/// How a zone's command window ended, in the zone's own sample clock: <see cref="Class"/> is the
/// head's class (0: no match), and the samples mark the window's opening, the command's speech as the
/// voice detector heard it (ended at the talker's last own step when another voice kept the detector on),
/// and the decision.
/// </summary>
public readonly record struct CommandDecision(int Class, float Confidence, long OpenedSample, long SpeechStartSample, long SpeechEndSample, long DecidedSample);

/// <summary>Where the zone's pretrained feature models are.</summary>
public sealed record SpeechModelPaths(string Vad, string Melspectrogram, string Embedding)
{
    /// <summary>
    /// The pinned models from the model store, checked against their SHA-256; with
    /// <see cref="ModelPrecision.Int8"/> the embedding is the INT8 model quantized from the pinned one at
    /// fetch time. An image that lacks it (installed without `models fetch`) runs the FP32 one, with a
    /// warning: slower, not broken.
    /// </summary>
    public static SpeechModelPaths From(ModelStore store, ModelPrecision precision = ModelPrecision.Fp32, ILogger? logger = null)
    {
        var embedding = store.Require("embedding_model");
        if (precision == ModelPrecision.Int8)
        {
            var int8 = Int8EmbeddingPath(store);
            if (File.Exists(int8)) embedding = int8;
            else logger?.LogWarning("{Model}: the INT8 embedding model is missing, running the FP32 one; `stepaudio models fetch` quantizes it", int8);
        }
        return new(store.Require("silero_vad_v5"), store.Require("melspectrogram"), embedding);
    }

    /// <summary>Where <c>stepaudio models fetch</c> writes the INT8 embedding model: beside the pinned one.</summary>
    public static string Int8EmbeddingPath(ModelStore store) =>
        Path.ChangeExtension(store.PathOf(store.Manifest.File("embedding_model")), ".int8.onnx");
}

/// <summary>Whose voice the localizer heard in one hop, from one zone's side.</summary>
public enum HopVoice
{
    /// <summary>Nothing to attribute (silence, a steady vowel with no onsets) or no localizer.</summary>
    Unknown,

    /// <summary>The sound is this zone's own (<see cref="Spatial.ZoneMap.Distinct"/>).</summary>
    Own,

    /// <summary>The sound belongs to another seat or a loudspeaker, none of it to this zone.</summary>
    Other,
}

/// <summary>A keyword heard in a zone, at the stream time of the step that fired.</summary>
public readonly record struct WakeWordDetection(string Zone, string Keyword, float Score, double StreamTime);
