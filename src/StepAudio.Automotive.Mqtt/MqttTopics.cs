using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// The topic tree under one prefix (default <c>vehicle/&lt;vin&gt;/voice/v1</c>): one topic per event
/// type going out, <c>control/#</c> coming in, and the response topics for acknowledgements.
/// </summary>
public sealed class MqttTopics
{
    public const string ControlMute = "mute";
    public const string ControlOccupancy = "occupancy";
    public const string ControlPlayback = "playback";
    public const string ControlConfig = "config";

    public MqttTopics(string prefix)
    {
        Prefix = prefix.TrimEnd('/');
        Intent = Prefix + "/intent";
        Wake = Prefix + "/wake";
        Speech = Prefix + "/speech";
        Emotion = Prefix + "/emotion";
        VisualSpeech = Prefix + "/visual-speech";
        Escalation = Prefix + "/escalation";
        Status = Prefix + "/status";
        EscalationAck = Prefix + "/escalation/ack";
        ControlPrefix = Prefix + "/control/";
        ControlFilter = Prefix + "/control/#";
        ControlResponse = Prefix + "/control/response";
    }

    public static MqttTopics For(MqttOptions options) => new(options.EffectiveTopicPrefix);

    public string Prefix { get; }

    public string Intent { get; }

    public string Wake { get; }

    public string Speech { get; }

    public string Emotion { get; }

    public string Escalation { get; }

    /// <summary>A seat's lips started or stopped moving (the vision stage).</summary>
    public string VisualSpeech { get; }

    /// <summary>Retained; birth message on connect and last will <c>offline</c>.</summary>
    public string Status { get; }

    /// <summary>The gateway acknowledges an escalation here, with its correlation data.</summary>
    public string EscalationAck { get; }

    public string ControlPrefix { get; }

    /// <summary>What the service subscribes to (includes control/response/#, which it ignores: no answer loops).</summary>
    public string ControlFilter { get; }

    /// <summary>Where the verdict on each control message goes when the sender named no response topic.</summary>
    public string ControlResponse { get; }

    public string Control(string name) => ControlPrefix + name;

    public string ForEvent(CabinEvent e) => e switch
    {
        IntentEvent => Intent,
        WakeEvent => Wake,
        SpeechEvent => Speech,
        EmotionEvent => Emotion,
        VisualSpeechEvent => VisualSpeech,
        EscalationEvent => Escalation,
        StatusEvent => Status,
        _ => throw new ArgumentException($"no topic for event {e.GetType().Name}", nameof(e)),
    };
}
