using StepAudio.Automotive.Cabin;
using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// The speech stage over every zone's beam: one <see cref="ZoneSpeech"/> per zone. A talker leaks into
/// the other zones' beams, so a keyword may fire in several at once; the stage keeps the detection
/// whose zone the localizer heard talking (then the highest score) and publishes one wake event.
/// </summary>
public sealed class SpeechStage : IDisposable
{
    /// <summary>After a wake word, the same keyword firing in another zone this soon is the same utterance.</summary>
    public const double SameUtteranceSeconds = 1.0;

    private readonly ZoneSpeech[] _zones;
    private readonly List<(int Zone, WakeWordDetection Detection)> _fired = [];
    private double _lastWake = double.NegativeInfinity;

    public SpeechStage(IReadOnlyList<string> zones, SpeechModelPaths models, IReadOnlyList<(string HeadPath, WakeWordOptions Options)> heads, InferenceOptions inference, ILogger? logger = null)
    {
        _zones = new ZoneSpeech[zones.Count];
        try
        {
            for (var z = 0; z < zones.Count; z++)
            {
                var zone = z;
                _zones[z] = new ZoneSpeech(zones[z], models, heads, inference, logger);
                _zones[z].WakeWord += d => _fired.Add((zone, d));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<ZoneSpeech> Zones => _zones;

    /// <summary>The models every zone runs and the execution provider each got, for status.</summary>
    public IReadOnlyList<ModelStatus> ModelStatus() =>
        [.. _zones[0].Models.Select(m => new ModelStatus(Path.GetFileName(m.Path), m.ExecutionProvider, m.FallbackReasons.Count == 0 ? null : string.Join("; ", m.FallbackReasons)))];

    /// <summary>
    /// The stage for a cabin's zones with the pinned feature models from <paramref name="store"/>; each
    /// head is a manifest model id (e.g. <c>hey_jarvis_v0.1</c>) or a path to a head of our own.
    /// </summary>
    public static SpeechStage Create(CabinProfile profile, ModelStore store, IEnumerable<WakeHead> heads, InferenceOptions inference, ILogger? logger = null)
    {
        var resolved = heads.Select(h => (File.Exists(h.Model) ? h.Model : store.Require(h.Model), h.Options)).ToList();
        return new SpeechStage([.. profile.Zones.Select(z => z.Name)], SpeechModelPaths.From(store, inference.Precision, logger), resolved, inference, logger);
    }

    /// <summary>Runs each unmuted zone's beam of this hop through its speech stage and publishes what was heard.</summary>
    public void Process(SpatialFrontEnd spatial, ListeningControl listening, double streamTime, IEventSink sink)
    {
        _fired.Clear();
        for (var z = 0; z < _zones.Length; z++)
            if (!listening.IsMuted(z)) _zones[z].Process(spatial.BeamOutput(z));
        if (_fired.Count == 0 || streamTime - _lastWake < SameUtteranceSeconds) return;

        // Attribution: a detection in a zone the localizer hears talking wins (best score first). A keyword
        // that fired only in zones the localizer does not hear leaked into their beams from the talker
        // the localizer does hear: it belongs to the active zone with the strongest evidence.
        (int Zone, WakeWordDetection Detection)? heard = null;
        foreach (var f in _fired)
            if (spatial.Tracker.IsActive(f.Zone) && (heard is null || f.Detection.Score > heard.Value.Detection.Score)) heard = f;
        var zone = heard?.Zone ?? StrongestActiveZone(spatial) ?? _fired.MaxBy(f => f.Detection.Score).Zone;
        var score = heard?.Detection.Score ?? _fired.Max(f => f.Detection.Score);
        _lastWake = streamTime;
        sink.Publish(new WakeEvent(_fired[0].Detection.Keyword, _zones[zone].Zone, CabinEvent.Round(score), CabinEvent.Round(streamTime)));
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
    }
}

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
