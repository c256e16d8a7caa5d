using Microsoft.Extensions.Configuration;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>The service's configuration (section <c>StepAudio</c>), documented in README.</summary>
public sealed class StepAudioOptions
{
    public const string Section = "StepAudio";

    /// <summary>Cabin profile JSON for this vehicle model; not in /etc/stepaudio itself, whose *.json are read as configuration.</summary>
    public string CabinProfile { get; set; } = "/etc/stepaudio/cabins/cabin.json";

    public AudioInputOptions Audio { get; set; } = new();

    /// <summary>The cabin IR camera; source <c>none</c> (the default) runs audio-only.</summary>
    public VideoOptions Video { get; set; } = new();

    public GpioOptions Gpio { get; set; } = new();
    public SpatialSettings Spatial { get; set; } = new();

    /// <summary>Optional JSON Lines log of every published event (e.g. /var/lib/stepaudio/events.jsonl).</summary>
    public string? EventsPath { get; set; }

    /// <summary>MQTT to the gateway (or the embedded broker), outbox and control topics.</summary>
    public MqttOptions Mqtt { get; set; } = new();
    public ModelOptions Models { get; set; } = new();

    /// <summary>Wake-word heads run on every zone's beam. Empty: our own <c>hey_jarvis</c> head; <c>[{"Model":"none"}]</c>: no speech stage.</summary>
    public IList<WakeHead> WakeHeads { get; set; } = [];

    /// <summary>Which wake words open a command window: the keyword must begin its talker's utterance.</summary>
    public WakeGate WakeGate { get; set; } = new();

    /// <summary>Whether a wake word that passed the gate was said, checked by the transcriber (with <c>Commands:Recognizer</c> <c>transcriber</c>).</summary>
    public WakeVerifier WakeVerifier { get; set; } = new();

    /// <summary>The command head after a wake word or push-to-talk (runs with the speech stage).</summary>
    public CommandOptions Commands { get; set; } = new();

    /// <summary>Execution providers and threads for every model (ONNX Runtime).</summary>
    public InferenceOptions Inference { get; set; } = new();

    /// <summary>Per-seat emotion from each zone's beam (prosody; face once vision feeds it).</summary>
    public EmotionOptions Emotion { get; set; } = new();

    /// <summary>When an occupant is handed to a human.</summary>
    public EscalationOptions Escalation { get; set; } = new();

    /// <summary>
    /// Lists set in configuration replace their defaults; the configuration binder would add to a
    /// list that already has items (so "DistressKeywords": ["mayday"] would keep "help" too).
    /// </summary>
    public static void ReplaceDefaultLists(StepAudioOptions options, IConfiguration stepAudio)
    {
        if (Items(stepAudio, "Escalation:EmergencyIntents") is { } intents) options.Escalation.EmergencyIntents = intents;
        if (Items(stepAudio, "Escalation:DistressKeywords") is { } keywords) options.Escalation.DistressKeywords = keywords;
    }

    private static List<string>? Items(IConfiguration config, string key)
    {
        var section = config.GetSection(key);
        return section.Exists() ? [.. section.GetChildren().Select(c => c.Value ?? "")] : null;
    }
}

/// <summary>Where the pinned models are installed (<c>stepaudio models fetch</c>).</summary>
public sealed class ModelOptions
{
    /// <summary>Model cache; unset: <c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, then <c>stepaudio/models</c>.</summary>
    public string? Cache { get; set; }
}

/// <summary>Where the microphone array's samples come from.</summary>
public sealed class AudioInputOptions
{
    /// <summary><c>alsa</c> (live capture), <c>wav</c> (a recording) or <c>raw</c> (interleaved PCM from a file, FIFO or <c>-</c> for stdin).</summary>
    public string Source { get; set; } = "alsa";

    /// <summary>ALSA PCM name, e.g. <c>default</c>, <c>hw:2,0</c> or a name from asound.conf.</summary>
    public string Device { get; set; } = "default";

    /// <summary>Optional ALSA configuration file defining <see cref="Device"/> (loaded on top of the system's asound.conf).</summary>
    public string? AlsaConfig { get; set; }

    /// <summary>File for <c>wav</c> and <c>raw</c> sources.</summary>
    public string? Path { get; set; }

    /// <summary>Sample format for <c>alsa</c> (s16le, s32le) and <c>raw</c> (s16le, s24le, s32le, f32le).</summary>
    public string Format { get; set; } = "s16le";

    /// <summary>Pace a recording in real time, as the device would deliver it.</summary>
    public bool Realtime { get; set; } = true;

    /// <summary>
    /// Channels after the microphones that carry what the loudspeakers play (the DSP's reference slots, or a
    /// loopback in the same stream), for echo cancellation (<see cref="SpatialOptions.EchoReferences"/>); 0: none.
    /// </summary>
    public int EchoReferences { get; set; }

    /// <summary>
    /// Where the echo canceller keeps what it learned between runs (read at start, written at stop), so it
    /// cancels from the first word after a restart; unset: it learns from scratch every start.
    /// </summary>
    public string? EchoStatePath { get; set; }

    public const int MaxEchoReferences = 16;

    /// <summary>What is wrong with <paramref name="references"/> as a count of loudspeaker reference channels; null when nothing.</summary>
    public static string? EchoReferencesProblem(int references) =>
        references is < 0 or > MaxEchoReferences ? $"{references} must be 0..{MaxEchoReferences} (0: no loudspeaker references)" : null;
}

/// <summary>The spatial front end's settings.</summary>
public sealed class SpatialSettings
{
    /// <summary>Per-zone beams: <c>mvdr</c> (default) or <c>das</c> (delay-and-sum).</summary>
    public string Beamformer { get; set; } = "mvdr";

    /// <summary>Localise only from bins whose power rose this much since the previous frame, dB; 0 (default) uses every bin above the noise floor.</summary>
    public double OnsetDb { get; set; }

    /// <summary>Largest <see cref="OnsetDb"/>: beyond it almost no bin of speech qualifies.</summary>
    public const double MaxOnsetDb = 20;

    /// <summary>
    /// Share of a seat's frames that must be its own (it won the frame, or the second-source search found it)
    /// before it opens; 0 turns the check off (<see cref="SpatialOptions.TrackerDistinctShare"/>).
    /// </summary>
    public double TrackerDistinctShare { get; set; } = new SpatialOptions().TrackerDistinctShare;

    /// <summary>
    /// Seconds over which each seat's steered power is averaged before deciding whose a frame is; 0 uses
    /// the frame's own winner (<see cref="SpatialOptions.AccumulateSeconds"/>).
    /// </summary>
    public double AccumulateSeconds { get; set; } = new SpatialOptions().AccumulateSeconds;

    /// <summary>Longest <see cref="AccumulateSeconds"/>: beyond it the map outlasts a short command.</summary>
    public const double MaxAccumulateSeconds = 5;

    /// <summary>
    /// Seconds an open seat stays open while other seats have frames of their own and it none; 0: only
    /// silence closes it (<see cref="SpatialOptions.TrackerReleaseSeconds"/>).
    /// </summary>
    public double TrackerReleaseSeconds { get; set; } = new SpatialOptions().TrackerReleaseSeconds;

    /// <summary>
    /// Wall bounces modelled when steering to seats and loudspeakers (needs the cabin profile's <c>interior</c>);
    /// 0: direct path only (<see cref="SpatialOptions.ReflectionOrder"/>).
    /// </summary>
    public int ReflectionOrder { get; set; } = new SpatialOptions().ReflectionOrder;

    /// <summary>Highest <see cref="ReflectionOrder"/>: the precomputation grows with its cube and a real cabin is no exact box.</summary>
    public const int MaxReflectionOrder = 3;

    /// <summary>Problems with these settings, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Validate(string section)
    {
        string? beamformer = null;
        try
        {
            SpatialOptions.ParseBeamformer(Beamformer, $"{section}:Beamformer");
        }
        catch (InvalidInputException e)
        {
            beamformer = e.Message;
        }
        if (beamformer is not null) yield return beamformer;
        if (!double.IsFinite(OnsetDb) || OnsetDb < 0 || OnsetDb > MaxOnsetDb)
            yield return $"{section}:OnsetDb: {OnsetDb} must be in [0, {MaxOnsetDb}] dB (0 turns onset gating off)";
        if (!double.IsFinite(TrackerDistinctShare) || TrackerDistinctShare < 0 || TrackerDistinctShare > 1)
            yield return $"{section}:TrackerDistinctShare: {TrackerDistinctShare} must be in [0, 1] (0 turns the check off)";
        if (!double.IsFinite(AccumulateSeconds) || AccumulateSeconds < 0 || AccumulateSeconds > MaxAccumulateSeconds)
            yield return $"{section}:AccumulateSeconds: {AccumulateSeconds} must be in [0, {MaxAccumulateSeconds}] s (0 decides each frame on its own)";
        if (!double.IsFinite(TrackerReleaseSeconds) || TrackerReleaseSeconds < 0 || TrackerReleaseSeconds > MaxAccumulateSeconds)
            yield return $"{section}:TrackerReleaseSeconds: {TrackerReleaseSeconds} must be in [0, {MaxAccumulateSeconds}] s (0: only silence closes a seat)";
        if (ReflectionOrder < 0 || ReflectionOrder > MaxReflectionOrder)
            yield return $"{section}:ReflectionOrder: {ReflectionOrder} must be in [0, {MaxReflectionOrder}] (0: direct path only)";
    }

    /// <summary>The front end's options from these (validated) settings.</summary>
    public SpatialOptions ToOptions(string section) => new()
    {
        Beamformer = SpatialOptions.ParseBeamformer(Beamformer, $"{section}:Beamformer"),
        OnsetDb = OnsetDb,
        TrackerDistinctShare = TrackerDistinctShare,
        AccumulateSeconds = AccumulateSeconds,
        TrackerReleaseSeconds = TrackerReleaseSeconds,
        ReflectionOrder = ReflectionOrder,
    };
}

/// <summary>Where the cabin camera's frames come from, and whether the vision stage runs on them.</summary>
public sealed class VideoOptions
{
    /// <summary><c>none</c>, <c>v4l2</c> (live capture), <c>y4m</c> (a recording) or <c>raw</c> (headerless frames from a file, FIFO or <c>-</c>).</summary>
    public string Source { get; set; } = "none";

    /// <summary>V4L2 device, e.g. <c>/dev/cabin-ir</c>.</summary>
    public string Device { get; set; } = "/dev/video0";

    /// <summary>File for <c>y4m</c> and <c>raw</c>.</summary>
    public string? Path { get; set; }

    /// <summary>Frame size for <c>v4l2</c> and <c>raw</c>; unset: the cabin profile's camera size.</summary>
    public int? Width { get; set; }

    public int? Height { get; set; }

    /// <summary>Pixel format for <c>v4l2</c> and <c>raw</c>: GREY, Y16 or YUYV.</summary>
    public string Format { get; set; } = "GREY";

    public double FrameRate { get; set; } = 30;

    /// <summary>Run the vision stage (faces, visual speech, audio-visual attribution, expressions); false keeps the camera's health only.</summary>
    public bool Vision { get; set; } = true;

    /// <summary>The face nets' precision: <c>Fp32</c> (default; the most accurate) or <c>Int8</c> (faster, within the targets; README, INT8 face nets).</summary>
    public ModelPrecision Precision { get; set; } = ModelPrecision.Fp32;
}
