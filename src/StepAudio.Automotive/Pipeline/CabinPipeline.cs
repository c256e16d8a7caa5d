using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Fusion;
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
    private readonly float[][] _references;
    private readonly List<string> _warnings = [];
    private readonly List<string> _inputWarnings = [];
    private string _sourceName = "none";
    private string _inputState = "starting";
    private long _overruns;
    private int _listeningVersion;
    private VideoInput? _video;
    private AudioVisualAttribution? _attribution;
    private bool[] _seatFace = [];
    private bool[] _seatSpeaking = [];
    private double[] _seatSpeakingSince = [];
    private int[] _seatZone = [];
    private bool _visionChanged;
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
        _references = new float[spatial?.EchoReferences ?? 0][];
        for (var r = 0; r < _references.Length; r++) _references[r] = new float[HopFrames];
        _stages = new StageEvents(this);
        Spatial = new SpatialFrontEnd(profile, _stages, spatial);
        _warnings.AddRange(Spatial.Warnings);
    }

    public CabinProfile Profile => _profile;

    /// <summary>Channels per frame of the input: the microphones, then the loudspeaker references (<see cref="SpatialOptions.EchoReferences"/>).</summary>
    public int CaptureChannels => _planar.Length + _references.Length;

    /// <summary>Privacy mute and push-to-talk; share one instance with the GPIO and MQTT control handlers.</summary>
    public ListeningControl Listening { get; init; }
    /// <summary>Wake words and commands on every zone's beam; null runs the spatial front end alone.</summary>
    public SpeechStage? Speech { get; init; }

    /// <summary>Prosody, emotion fusion and the escalation policy on every zone's beam; null: none.</summary>
    public EmotionStage? Emotion { get; init; }

    /// <summary>
    /// Faces, lips and expressions per seat on the camera's frames (see <see cref="AttachVideo"/>); it gives wake
    /// words their seat with the audio, publishes <c>visual-speech</c> events and feeds the emotion stage's faces.
    /// Null: the camera's health only.
    /// </summary>
    public CabinVision? Vision { get; init; }

    /// <summary>The audio-visual wake attribution while a vision stage runs on an attached camera; else null.</summary>
    public AudioVisualAttribution? Attribution => _attribution;

    /// <summary>Localization, zone tracking and the per-zone beams (their audio is read from here).</summary>
    public SpatialFrontEnd Spatial { get; }

    /// <summary>Frames consumed so far; stream time is this over the sample rate.</summary>
    public long FramesConsumed { get; private set; }

    public double StreamTime => (double)FramesConsumed / _profile.SampleRate;

    /// <summary>A standing warning (e.g. about geometry or a missing stage), carried in every status event.</summary>
    public void AddWarning(string warning) => _warnings.Add(warning);

    /// <summary>The cabin camera, stepped on this pipeline's stream time; without one the pipeline is audio-only.</summary>
    public void AttachVideo(VideoInput video)
    {
        _video = video;
        if (Vision is null) return;
        _attribution = new AudioVisualAttribution([.. _profile.Zones.Select(z => z.Name)], [.. Vision.Seats.Select(s => s.Zone)]) { CameraLive = video.State == "ok" };
        if (Speech is not null) Speech.Attribution = _attribution;
        var seats = Vision.Seats.Count;
        _seatFace = new bool[seats];
        _seatSpeaking = new bool[seats];
        _seatSpeakingSince = new double[seats];
        _seatZone = [.. Vision.Seats.Select(s => Listening.IndexOf(s.Zone))];
        video.FrameReady = OnFrame;
    }

    /// <summary>One camera frame at its stream time: the vision stage, then what it tells the other stages.</summary>
    private void OnFrame(VideoFrame frame, double time)
    {
        var vision = Vision!;
        // A frame of another size cannot be placed in the seat regions (warned about in status at start).
        if (frame.Width != vision.Camera.Width || frame.Height != vision.Camera.Height) return;
        vision.Process(frame, time);
        _attribution!.Observe(vision);
        for (var s = 0; s < _seatFace.Length; s++)
        {
            var seat = vision.Seats[s];
            var zone = _seatZone[s];
            if (seat.FaceFound != _seatFace[s])
            {
                _seatFace[s] = seat.FaceFound;
                _visionChanged = true;
            }
            // Hysteresis around the detector's probability, so a pause between syllables does not end the speech.
            var p = seat.Speech.Probability;
            var speaking = _seatSpeaking[s] ? p >= 0.4 : p > 0.6;
            if (speaking != _seatSpeaking[s]) SetSpeaking(s, speaking, seat.Speech.DecisionTime);
            if (seat.ExpressionsUpdated && Emotion is not null && zone >= 0 && !Listening.IsMuted(zone))
            {
                var e = seat.Expressions; // face-api order: neutral, happy, sad, angry, fearful, disgusted, surprised
                Emotion.Face(zone, new FaceExpression(e[0], e[1], e[2], e[6], e[4], e[5], e[3], Math.Clamp(seat.Face.Score, 0, 1)), time);
            }
        }
    }

    private void SetSpeaking(int seat, bool speaking, double time)
    {
        _seatSpeaking[seat] = speaking;
        var zone = _seatZone[seat];
        double start = _seatSpeakingSince[seat];
        if (speaking) _seatSpeakingSince[seat] = start = time;
        if (zone >= 0 && Listening.IsMuted(zone)) return;
        _sink.Publish(new VisualSpeechEvent(Vision!.Seats[seat].Zone, CabinEvent.Round(start), speaking ? null : CabinEvent.Round(Math.Max(start, time)), CabinEvent.Round(StreamTime)));
    }

    /// <summary>Follows the camera's state: a lost camera ends every seat's speech and forgets the tracks; true on a change of mode.</summary>
    private bool FollowCamera()
    {
        var live = _video!.State == "ok";
        if (live == _attribution!.CameraLive) return false;
        _attribution.CameraLive = live;
        if (!live)
        {
            for (var s = 0; s < _seatSpeaking.Length; s++)
                if (_seatSpeaking[s]) SetSpeaking(s, false, StreamTime);
            Array.Clear(_seatFace);
            Vision!.Reset();
            _attribution.Reset();
        }
        return true;
    }

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
        var stride = CaptureChannels;
        if (interleaved.Length != HopFrames * stride)
            throw new ArgumentException($"expected {HopFrames} frames of {stride} channels", nameof(interleaved));

        for (var c = 0; c < channels; c++)
        {
            var dst = _planar[c];
            for (var i = 0; i < HopFrames; i++) dst[i] = interleaved[(i * stride) + c];
            _health.Observe(c, dst);
        }
        for (var r = 0; r < _references.Length; r++)
        {
            var dst = _references[r];
            for (var i = 0; i < HopFrames; i++) dst[i] = interleaved[(i * stride) + channels + r];
        }
        FramesConsumed += HopFrames;

        var changed = _health.EndBlock(HopFrames);
        if (_video is not null) changed |= _video.AdvanceTo(StreamTime);
        if (_attribution is not null) changed |= FollowCamera();
        changed |= _visionChanged;
        _visionChanged = false;
        changed |= ApplyListening();
        // Dead and clipping microphones are left out of localization and beamforming.
        for (var c = 0; c < channels; c++) _usable[c] = _health.IsUsable(c);
        // Privacy: with every zone muted the audio is not analysed at all.
        if (!Listening.AllMuted)
        {
            Spatial.Process(_planar, _usable, _references);
            Speech?.Process(Spatial, Listening, StreamTime, _stages);
            if (Speech is not null && Emotion is not null)
                foreach (var zone in Speech.TalkHeard) Emotion.Policy.OnTalk(zone);
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
            Attribution = _attribution is { CameraLive: true } ? "audio-visual" : "audio-only",
            Seats = _attribution is null ? null : [.. Vision!.Seats.Select((seat, s) => new SeatVisionStatus(seat.Zone, _seatFace[s]))],
            MutedZones = Listening.MutedZones(),
            PrivacySwitch = Listening.PrivacySwitch,
            Models = _models ??= Speech?.ModelStatus() ?? [],
            Commands = Speech?.CommandStatus(),
        });
    }
}
