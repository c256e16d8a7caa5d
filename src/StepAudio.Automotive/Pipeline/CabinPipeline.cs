using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Pipeline;

/// <summary>
/// The whole per-frame pipeline, driven only by the samples it is given (stream time): feed it
/// blocks of <see cref="HopFrames"/> interleaved frames and it publishes what it decides. The same
/// input always gives the same events, however fast it is fed.
/// </summary>
public sealed class CabinPipeline
{
    /// <summary>10 ms at 16 kHz: the rate at which every stage advances.</summary>
    public const int HopFrames = 160;

    private readonly CabinProfile _profile;
    private readonly IEventSink _sink;
    private readonly StageEvents _stages;
    private readonly MicrophoneHealthMonitor _health;
    private readonly float[][] _planar;
    private readonly bool[] _usable;
    private readonly List<string> _warnings = [];
    private readonly List<string> _inputWarnings = [];
    private string _sourceName = "none";
    private string _inputState = "starting";
    private long _overruns;
    private int _listeningVersion;
    private VideoInput? _video;
    private IReadOnlyList<ModelStatus>? _models;

    public CabinPipeline(CabinProfile profile, IEventSink sink, SpatialOptions? spatial = null)
    {
        _profile = profile;
        _sink = sink;
        _health = new MicrophoneHealthMonitor(profile.Mics.Count, profile.SampleRate);
        _planar = new float[profile.Mics.Count][];
        for (var c = 0; c < _planar.Length; c++) _planar[c] = new float[HopFrames];
        Listening = new ListeningControl(profile.Zones.Select(z => z.Name));
        _usable = new bool[profile.Mics.Count];
        _stages = new StageEvents(this);
        Spatial = new SpatialFrontEnd(profile, _stages, spatial);
        _warnings.AddRange(Spatial.Warnings);
    }

    public CabinProfile Profile => _profile;

    /// <summary>Privacy mute and push-to-talk; share one instance with the GPIO and MQTT control handlers.</summary>
    public ListeningControl Listening { get; init; }
    /// <summary>Wake words and commands on every zone's beam; null runs the spatial front end alone.</summary>
    public SpeechStage? Speech { get; init; }

    /// <summary>Prosody, emotion fusion and the escalation policy on every zone's beam; null: none.</summary>
    public EmotionStage? Emotion { get; init; }

    /// <summary>Localization, zone tracking and the per-zone beams (their audio is read from here).</summary>
    public SpatialFrontEnd Spatial { get; }

    /// <summary>Frames consumed so far; stream time is this over the sample rate.</summary>
    public long FramesConsumed { get; private set; }

    public double StreamTime => (double)FramesConsumed / _profile.SampleRate;

    /// <summary>A standing warning (e.g. about geometry or a missing stage), carried in every status event.</summary>
    public void AddWarning(string warning) => _warnings.Add(warning);

    /// <summary>The cabin camera, stepped on this pipeline's stream time; without one the pipeline is audio-only.</summary>
    public void AttachVideo(VideoInput video) => _video = video;

    /// <summary>Announces the input and publishes the first status.</summary>
    public void Start(string sourceName)
    {
        _sourceName = sourceName;
        _inputState = "ok";
        PublishStatus("running");
    }

    /// <summary>Processes one hop of interleaved samples (exactly <see cref="HopFrames"/> frames).</summary>
    public void Process(ReadOnlySpan<float> interleaved, long overruns = 0)
    {
        var channels = _planar.Length;
        if (interleaved.Length != HopFrames * channels)
            throw new ArgumentException($"expected {HopFrames} frames of {channels} channels", nameof(interleaved));

        for (var c = 0; c < channels; c++)
        {
            var dst = _planar[c];
            for (var i = 0; i < HopFrames; i++) dst[i] = interleaved[(i * channels) + c];
            _health.Observe(c, dst);
        }
        FramesConsumed += HopFrames;

        var changed = _health.EndBlock(HopFrames);
        if (_video is not null) changed |= _video.AdvanceTo(StreamTime);
        changed |= ApplyListening();
        // Dead and clipping microphones are left out of localization and beamforming.
        for (var c = 0; c < channels; c++) _usable[c] = _health.IsUsable(c);
        // Privacy: with every zone muted the audio is not analysed at all.
        if (!Listening.AllMuted)
        {
            Spatial.Process(_planar, _usable);
            Speech?.Process(Spatial, Listening, StreamTime, _stages);
            Emotion?.Process(Spatial, Listening, StreamTime, _sink);
        }
        if (overruns != _overruns)
        {
            _overruns = overruns;
            changed = true;
        }
        if (changed) PublishStatus(_health.DeadChannels().Length == channels ? "degraded" : "running");
    }

    /// <summary>Takes in mute changes and push-to-talk presses made since the last hop; true when the mute state changed.</summary>
    private bool ApplyListening()
    {
        var version = Listening.Version;
        var muteChanged = version != _listeningVersion;
        _listeningVersion = version;
        // A zone muted now stops listening for a command at once.
        if (muteChanged) Speech?.CancelMutedWindows(Listening);
        while (Listening.TryTakePushToTalk(out var zone))
        {
            if (Listening.IsMuted(zone)) continue;
            _stages.Publish(new WakeEvent("push-to-talk", zone, 1.0, CabinEvent.Round(StreamTime)));
            Speech?.OpenCommandWindow(Listening.IndexOf(zone), StreamTime);
        }
        return muteChanged;
    }

    /// <summary>A live input stopped delivering; the runner is retrying it.</summary>
    public void InputLost(string reason)
    {
        _inputState = "lost";
        _inputWarnings.Clear();
        _inputWarnings.Add(reason);
        PublishStatus("degraded");
    }

    /// <summary>A lost live input delivers again.</summary>
    public void InputRestored(string sourceName)
    {
        _sourceName = sourceName;
        _inputState = "ok";
        _inputWarnings.Clear();
        PublishStatus("running");
    }

    /// <summary>End of the input: closes whatever is open and publishes the final status.</summary>
    public void Finish()
    {
        Spatial.Finish();
        _inputState = "ended";
        PublishStatus("stopped");
    }

    /// <summary>
    /// Where the stages before the emotion stage publish: on to the pipeline's sink, and seen by the
    /// emotion stage's policy (wake words, intents, escalations) at the end of the hop.
    /// </summary>
    private sealed class StageEvents(CabinPipeline pipeline) : IEventSink
    {
        public void Publish(CabinEvent e)
        {
            pipeline._sink.Publish(e);
            pipeline.Emotion?.Observe(e);
        }
    }

    private void PublishStatus(string state)
    {
        var audio = new AudioInputStatus(
            _sourceName,
            _inputState,
            _profile.Mics.Count,
            _profile.SampleRate,
            _health.DeadChannels(),
            _health.ClippedChannels(),
            _health.NonFiniteSamples,
            _overruns);
        var videoWarning = _video?.Warning;
        List<string> warnings = [.. _warnings, .. _inputWarnings];
        if (videoWarning is not null) warnings.Add(videoWarning);
        _sink.Publish(new StatusEvent(state, audio, warnings, CabinEvent.Round(StreamTime))
        {
            Video = _video?.Status(),
            MutedZones = Listening.MutedZones(),
            PrivacySwitch = Listening.PrivacySwitch,
            Models = _models ??= Speech?.ModelStatus() ?? [],
            Commands = Speech?.CommandStatus(),
        });
    }
}
