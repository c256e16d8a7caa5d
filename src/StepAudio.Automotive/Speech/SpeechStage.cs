using System.Numerics.Tensors;
using StepAudio.Automotive.Cabin;
using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Fusion;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// The speech stage over every zone's beam: one <see cref="ZoneSpeech"/> per zone. A talker leaks into
/// the other zones' beams, so a keyword may fire in several at once; the stage keeps the detection
/// whose zone the localizer heard talking (then the highest score) and publishes one wake event.
/// A wake word (or push-to-talk) opens a command window in that zone only; the intent it yields is
/// published with that zone, followed at the same stream time by an escalation when the grammar asks
/// for one (<c>assist.emergency</c>).
/// </summary>
public sealed class SpeechStage : IDisposable
{
    /// <summary>After a wake word, the same keyword firing in another zone this soon is the same utterance.</summary>
    public const double SameUtteranceSeconds = 1.0;

    private readonly ZoneSpeech[] _zones;
    private readonly List<(int Zone, WakeWordDetection Detection)> _fired = [];
    private readonly List<(int Zone, CommandDecision Decision)> _decided = new(8);
    private readonly List<string> _talk = new(4);
    private readonly CommandHead? _commands;
    private readonly double[] _openedAt;
    private double _lastWake = double.NegativeInfinity;
    private double[] _audioScores = [];
    private readonly PendingWake?[] _pending;
    private readonly ILogger? _logger;

    public SpeechStage(IReadOnlyList<string> zones, SpeechModelPaths models, IReadOnlyList<(string HeadPath, WakeWordOptions Options)> heads, InferenceOptions inference, ILogger? logger = null, CommandHead? commands = null)
    {
        _commands = commands;
        _zones = new ZoneSpeech[zones.Count];
        _openedAt = new double[zones.Count];
        _pending = new PendingWake?[zones.Count];
        _logger = logger;
        try
        {
            for (var z = 0; z < zones.Count; z++)
            {
                var zone = z;
                _zones[z] = new ZoneSpeech(zones[z], models, heads, inference, logger, commands);
                _zones[z].WakeWord += d => _fired.Add((zone, d));
                _zones[z].CommandDecided += d => _decided.Add((zone, d));
                _zones[z].TalkHeard += () => _talk.Add(_zones[zone].Zone);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<ZoneSpeech> Zones => _zones;

    /// <summary>
    /// Zones whose command window heard talk that is no command in this hop's <see cref="Process"/>: the wake
    /// word that opened it asked for nothing (a false wake word in conversation), which the escalation policy
    /// must not count as a failed command.
    /// </summary>
    public IReadOnlyList<string> TalkHeard => _talk;

    /// <summary>The camera's say in whose wake word it was (and whether anyone in the car said it); null: audio alone.</summary>
    public AudioVisualAttribution? Attribution { get; set; }

    /// <summary>Which fired wake words may open a command window (the keyword must begin its talker's utterance).</summary>
    public WakeGate WakeGate { get; set; } = new();

    /// <summary>Whether a wake word that passed the gate was said: the transcriber checks it (with the transcriber deciding commands).</summary>
    public WakeVerifier WakeVerifier { get; set; } = new();

    /// <summary>The command head every zone runs; null when commands are off.</summary>
    public CommandHead? Commands => _commands;

    /// <summary>Command windows opened (by a wake word or push-to-talk).</summary>
    public long CommandWindows { get; private set; }

    /// <summary>Windows that ended in an intent.</summary>
    public long Intents { get; private set; }

    /// <summary>
    /// Windows that ran out (or were replaced by a new wake word) without an intent: failed commands,
    /// one of the escalation policy's signals. Also raised as <see cref="NoMatch"/> and counted in status.
    /// </summary>
    public long NoMatches { get; private set; }

    /// <summary>Raised when a zone's command window ends without an intent (stream time of the decision).</summary>
    public event Action<CommandNoMatch>? NoMatch;

    /// <summary>The command counters for status; null when commands are off.</summary>
    public CommandStatus? CommandStatus() => _commands is null ? null : new CommandStatus(CommandWindows, Intents, NoMatches);

    /// <summary>The models every zone runs and the execution provider each got, for status.</summary>
    public IReadOnlyList<ModelStatus> ModelStatus() =>
        [.. _zones[0].Models.Select(m => new ModelStatus(Path.GetFileName(m.Path), m.ExecutionProvider, m.FallbackReasons.Count == 0 ? null : string.Join("; ", m.FallbackReasons)))];

    /// <summary>
    /// The stage for a cabin's zones with the pinned feature models from <paramref name="store"/>; each
    /// head is a manifest model id (e.g. <c>hey_jarvis_v0.1</c>) or a path to a head of our own.
    /// </summary>
    public static SpeechStage Create(CabinProfile profile, ModelStore store, IEnumerable<WakeHead> heads, InferenceOptions inference, ILogger? logger = null, CommandOptions? commands = null)
    {
        var resolved = heads.Select(h => (File.Exists(h.Model) ? h.Model : store.Require(h.Model), h.Options)).ToList();
        var command = commands is { Enabled: true } ? CommandHead.Resolve(commands, store) : null;
        if (command is { Options.Recognizer: CommandOptions.TranscriberRecognizer })
            command = command with { Transcriber = CommandTranscriber.For(new SpeechTranscriber(SpeechTranscriberPaths.From(store), inference, logger), command.Labels, command.Options) };
        try
        {
            return new SpeechStage([.. profile.Zones.Select(z => z.Name)], SpeechModelPaths.From(store, inference.Precision, logger), resolved, inference, logger, command);
        }
        catch
        {
            command?.Transcriber?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a command window in a zone at <paramref name="streamTime"/> (a wake word there, or
    /// push-to-talk); false when commands are off. A window still open there ends as a no-match.
    /// </summary>
    public bool OpenCommandWindow(int zone, double streamTime)
    {
        if (_zones[zone].Command is { IsOpen: true }) CountNoMatch(zone, streamTime);
        if (!_zones[zone].OpenCommandWindow()) return false;
        _openedAt[zone] = streamTime;
        CommandWindows++;
        return true;
    }

    /// <summary>Closes the command windows of muted zones: nothing said there is listened to.</summary>
    public void CancelMutedWindows(ListeningControl listening)
    {
        for (var z = 0; z < _zones.Length; z++)
            if (listening.IsMuted(z)) _zones[z].CancelCommandWindow();
    }

    /// <summary>Runs each unmuted zone's beam of this hop through its speech stage and publishes what was heard.</summary>
    public void Process(SpatialFrontEnd spatial, ListeningControl listening, double streamTime, IEventSink sink)
    {
        _fired.Clear();
        _decided.Clear();
        _talk.Clear();
        var map = spatial.ZoneMap;
        var sounded = TensorPrimitives.Max(map.Evidence) > 0;
        for (var z = 0; z < _zones.Length; z++)
        {
            if (listening.IsMuted(z)) continue;
            var voice = map.Distinct[z] ? HopVoice.Own : sounded ? HopVoice.Other : HopVoice.Unknown; // Distinct only where there is evidence
            _zones[z].Process(spatial.BeamOutput(z), voice);
        }
        for (var z = 0; z < _zones.Length; z++)
            if (_pending[z] is { } pending && (streamTime >= pending.FiredAt + WakeVerifier.DelaySeconds || Decided(z))) Settle(z, pending, listening, streamTime, sink);
        foreach (var (decidedZone, decision) in _decided) PublishCommand(decidedZone, decision, streamTime, sink);
        if (_fired.Count == 0 || streamTime - _lastWake < SameUtteranceSeconds) return;

        // Attribution: a detection in a zone the localizer hears talking wins (best score first). A keyword
        // that fired only in zones the localizer does not hear leaked into their beams from the talker
        // the localizer does hear: it belongs to the active zone with the strongest evidence.
        (int Zone, WakeWordDetection Detection)? heard = null;
        foreach (var f in _fired)
            if (spatial.Tracker.IsActive(f.Zone) && (heard is null || f.Detection.Score > heard.Value.Detection.Score)) heard = f;
        var zone = heard?.Zone ?? StrongestActiveZone(spatial) ?? _fired.MaxBy(f => f.Detection.Score).Zone;
        var score = heard?.Detection.Score ?? _fired.Max(f => f.Detection.Score);
        // With a live camera, whose lips moved decides instead: the gate would turn away a wake word the tracker
        // gave to a talking neighbour, which is the case the camera is there to put right.
        if (Attribution is not { CameraLive: true } && !WakeGate.Admits(spatial.Tracker, zone, streamTime)) return;
        _lastWake = streamTime;
        if (Attribution is { } av)
        {
            var picked = av.AttributeWake(AudioScores(spatial), zone, streamTime);
            if (picked is null) return; // no mouth moved: the radio or a call, not an occupant
            zone = picked.Value;
        }
        var keyword = _fired[0].Detection.Keyword;
        if (WakeVerifier.Enabled && _commands?.Transcriber is not null)
        {
            // The window listens from the keyword on (the command often runs straight on from it); the wake word is
            // published, and the window counted, once the transcriber has heard the keyword's end (Settle).
            var onset = spatial.Tracker.IsActive(zone) ? spatial.Tracker.TalkingSince(zone) : double.NegativeInfinity;
            var opened = _zones[zone].Command is not { IsOpen: true } && _zones[zone].OpenCommandWindow();
            _pending[zone] = new PendingWake(keyword, score, streamTime, Math.Max(onset, streamTime - WakeVerifier.LeadSeconds), opened);
            return;
        }
        sink.Publish(new WakeEvent(keyword, _zones[zone].Zone, CabinEvent.Round(score), CabinEvent.Round(streamTime)));
        OpenCommandWindow(zone, streamTime);
    }

    /// <summary>A decision or talk of this hop came from zone <paramref name="zone"/>'s window.</summary>
    private bool Decided(int zone)
    {
        foreach (var d in _decided)
            if (d.Zone == zone) return true;
        return _talk.Contains(_zones[zone].Zone);
    }

    /// <summary>
    /// The transcriber's verdict on a zone's pending wake word: published with its window, or dropped with what
    /// its window heard (the decision of this hop, talk).
    /// </summary>
    private void Settle(int zone, PendingWake wake, ListeningControl listening, double streamTime, IEventSink sink)
    {
        _pending[zone] = null;
        var command = _zones[zone].Command!;
        var audio = command.Recent(streamTime - wake.Onset + CommandRecognizer.PaddingSeconds);
        var score = WakeVerifier.Score(_commands!.Transcriber!.Transcriber, wake.Keyword, audio);
        var passed = WakeVerifier.Accepts(score) && !listening.IsMuted(zone);
        if (_logger?.IsEnabled(LogLevel.Information) == true)
            _logger.LogInformation("Wake word '{Keyword}' in {Zone} at {Time:F2} s: heard '{Transcript}' ({Heard:F2} nats/token, {Seconds:F2} s of audio), keyword {Score:F2} nats/token → {Verdict}",
                wake.Keyword, _zones[zone].Zone, wake.FiredAt, WakeVerifier.LastTranscript, WakeVerifier.LastHeardAverage, audio.Length / (double)SpeechSteps.SampleRate, score, passed ? "verified" : "dropped");
        if (!passed)
        {
            if (wake.OpenedWindow)
            {
                _zones[zone].CancelCommandWindow();
                _decided.RemoveAll(d => d.Zone == zone);
                _talk.Remove(_zones[zone].Zone);
            }
            return;
        }
        sink.Publish(new WakeEvent(wake.Keyword, _zones[zone].Zone, CabinEvent.Round(wake.Score), CabinEvent.Round(wake.FiredAt)));
        if (wake.OpenedWindow)
        {
            _openedAt[zone] = wake.FiredAt;
            CommandWindows++;
        }
        else
        {
            OpenCommandWindow(zone, streamTime);
        }
    }

    /// <summary>A wake word waiting for the transcriber's verdict; <see cref="OpenedWindow"/>: its zone's window opened at the keyword (none was open).</summary>
    private readonly record struct PendingWake(string Keyword, double Score, double FiredAt, double Onset, bool OpenedWindow);

    private void PublishCommand(int zone, CommandDecision d, double streamTime, IEventSink sink)
    {
        var z = _zones[zone];
        if (d.Class == 0)
        {
            CountNoMatch(zone, streamTime);
            return;
        }
        // The zone counts its own samples (it skips muted hops): times are placed back on the stream's clock.
        var offset = streamTime - ((double)d.DecidedSample / SpeechSteps.SampleRate);
        var label = z.Command!.Labels.Labels[d.Class];
        var intent = label.Intent!;
        var start = Math.Max(0, offset + ((double)d.SpeechStartSample / SpeechSteps.SampleRate));
        var end = Math.Clamp(offset + ((double)d.SpeechEndSample / SpeechSteps.SampleRate), start, streamTime);
        Intents++;
        sink.Publish(new IntentEvent(intent, label.Slots, z.Zone, CabinEvent.Round(d.Confidence), CabinEvent.Round(start), CabinEvent.Round(end), CabinEvent.Round(streamTime)));
        if (z.Command.Labels.Grammar.Escalations.TryGetValue(intent, out var escalation))
        {
            sink.Publish(new EscalationEvent(escalation.Reason, z.Zone, escalation.Severity, CabinEvent.Round(streamTime))
            {
                Trigger = "emergency-intent",
                Evidence = new EscalationEvidence { Intent = intent, Confidence = CabinEvent.Round(d.Confidence) },
            });
        }
    }

    private void CountNoMatch(int zone, double streamTime)
    {
        NoMatches++;
        NoMatch?.Invoke(new CommandNoMatch(_zones[zone].Zone, CabinEvent.Round(_openedAt[zone]), CabinEvent.Round(streamTime)));
    }

    /// <summary>Each zone's acoustic case for the wake word in [0, 1]: half the keyword's score in its beam, half its share of the tracker's smoothed evidence while active.</summary>
    private double[] AudioScores(SpatialFrontEnd spatial)
    {
        if (_audioScores.Length != _zones.Length) _audioScores = new double[_zones.Length];
        var evidence = spatial.Tracker.Smoothed;
        double max = 0;
        for (var z = 0; z < _zones.Length; z++)
            if (spatial.Tracker.IsActive(z)) max = Math.Max(max, evidence[z]);
        for (var z = 0; z < _zones.Length; z++)
        {
            double keyword = 0;
            foreach (var f in _fired)
                if (f.Zone == z) keyword = Math.Max(keyword, f.Detection.Score);
            _audioScores[z] = (0.5 * keyword) + (spatial.Tracker.IsActive(z) && max > 0 ? 0.5 * evidence[z] / max : 0);
        }
        return _audioScores;
    }

    private static int? StrongestActiveZone(SpatialFrontEnd spatial)
    {
        var active = spatial.Tracker.Active;
        var evidence = spatial.ZoneMap.Evidence;
        int? strongest = null;
        for (var z = 0; z < active.Length; z++)
            if (active[z] && (strongest is null || evidence[z] > evidence[strongest.Value])) strongest = z;
        return strongest;
    }

    public void Dispose()
    {
        foreach (var z in _zones) z?.Dispose();
        _commands?.Transcriber?.Dispose();
    }
}

/// <summary>A zone's command window that ended without an intent: opened at <paramref name="OpenedAt"/>, given up at <paramref name="StreamTime"/>.</summary>
public sealed record CommandNoMatch(string Zone, double OpenedAt, double StreamTime);

/// <summary>A keyword head to run in every zone: a model id from the manifest or a file, and how it fires.</summary>
public sealed class WakeHead
{
    /// <summary>The head when none is configured: the project's own "hey jarvis" (models/trained, default build).</summary>
    public const string DefaultModel = "hey_jarvis";

    /// <summary>A head list of just this model turns the speech stage off.</summary>
    public const string NoModel = "none";

    public string Model { get; set; } = "";

    /// <summary>The heads to run: the configured ones, the default head when none are, nothing for <see cref="NoModel"/>.</summary>
    public static IReadOnlyList<WakeHead> Resolve(IReadOnlyCollection<WakeHead> configured) =>
        configured.Count == 0 ? [new WakeHead { Model = DefaultModel }]
        : configured.All(h => h.Model == NoModel) ? []
        : [.. configured];

    public WakeWordOptions Options { get; set; } = new();
}
