using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>One event of every type in the contract, as the pipeline would decide them.</summary>
internal static class SampleEvents
{
    public static IReadOnlyList<CabinEvent> All { get; } =
    [
        new StatusEvent("running", new AudioInputStatus("wav:demo.wav", "ok", 4, 16000, [], [], 0, 0), [], 0),
        new WakeEvent("hey_jarvis", "driver", 0.97, 12.34),
        new SpeechEvent("driver", 11.0, null, 35.0, -40.0, 11.05),
        new SpeechEvent("driver", 11.0, 13.2, 35.0, -40.0, 13.3),
        new IntentEvent("climate.temperature.set", new Dictionary<string, string> { ["celsius"] = "22" }, "driver", 0.91, 11.9, 13.2, 13.35),
        new EmotionEvent("rear-left", "distressed", 0.88, 39.9),
        new VisualSpeechEvent("driver", 3.52, null, 3.8),
        new VisualSpeechEvent("driver", 3.52, 4.31, 4.6),
        new EscalationEvent("distress", "rear-left", "high", 40.1),
        new StatusEvent("stopped", new AudioInputStatus("wav:demo.wav", "ended", 4, 16000, [1], [], 0, 0), ["mic 1 dead"], 41.0),
    ];

    public static IntentEvent Intent(int i, double streamTime) =>
        new("media.volume.set", new Dictionary<string, string> { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "driver", 0.9, streamTime, streamTime, streamTime);

    public static EscalationEvent Escalation(double streamTime) => new("distress", "rear-left", "high", streamTime);
}
