using System.Buffers;
using System.Text.Json;

namespace StepAudio.Automotive.Mqtt.Control;

/// <summary>The verdict on one control message: accepted, or rejected with a reason naming topic, field and problem.</summary>
public sealed record ControlVerdict(bool Accepted, string? Reason, string? RequestMessageId);

/// <summary>
/// Checks and applies messages on <c>&lt;prefix&gt;/control/*</c>: size limit first (a 1 MB payload is
/// never parsed), a known topic, JSON, its JSON Schema, then the cabin's zone names. Whatever
/// arrives, it answers with a verdict and never throws.
/// </summary>
public sealed class ControlHandler(ControlState state, IReadOnlyCollection<string> zones, int maxBytes)
{
    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 16 };
    private long _accepted;
    private long _rejected;

    public ControlState State => state;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Judges one message on control topic <paramref name="name"/> (the part after <c>control/</c>).</summary>
    public ControlVerdict Handle(string name, ReadOnlySequence<byte> payload)
    {
        try
        {
            var where = "control/" + Clip(name, 64);
            if (payload.Length > maxBytes) return Reject($"{where}: {payload.Length} bytes is over the {maxBytes}-byte limit", null);
            var schema = name switch
            {
                MqttTopics.ControlMute => "control-mute",
                MqttTopics.ControlOccupancy => "control-occupancy",
                MqttTopics.ControlPlayback => "control-playback",
                MqttTopics.ControlConfig => "control-config",
                _ => null,
            };
            if (schema is null) return Reject($"{where}: unknown control topic (use mute, occupancy, playback or config)", null);

            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(payload, Parsing);
            }
            catch (JsonException e)
            {
                return Reject($"{where}: not JSON: {Clip(e.Message, 160)}", null);
            }
            using (doc)
            {
                var root = doc.RootElement;
                var requestId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String
                    ? Clip(id.GetString()!, 64)
                    : null;
                var problem = PayloadSchemas.Check(schema, root);
                if (problem is not null) return Reject($"{where}: {Clip(problem, 200)}", requestId);
                problem = Apply(name, root);
                if (problem is not null) return Reject($"{where}: {problem}", requestId);
                Interlocked.Increment(ref _accepted);
                return new ControlVerdict(true, null, requestId);
            }
        }
        catch (Exception e)
        {
            return Reject($"control/{Clip(name, 64)}: could not be handled ({e.GetType().Name})", null);
        }
    }

    private string? Apply(string name, JsonElement root)
    {
        switch (name)
        {
            case MqttTopics.ControlMute:
            {
                var zone = root.GetProperty("zone").GetString()!;
                if (zone != "all" && !zones.Contains(zone)) return $"/zone: unknown zone '{zone}' (this cabin has {string.Join(", ", zones)})";
                state.SetMuted(zone == "all" ? zones : [zone], root.GetProperty("muted").GetBoolean());
                return null;
            }
            case MqttTopics.ControlOccupancy:
            {
                var seats = new Dictionary<string, bool>(StringComparer.Ordinal);
                foreach (var seat in root.GetProperty("seats").EnumerateObject())
                {
                    if (!zones.Contains(seat.Name)) return $"/seats/{seat.Name}: unknown zone";
                    seats[seat.Name] = seat.Value.GetBoolean();
                }
                state.SetOccupancy(seats);
                return null;
            }
            case MqttTopics.ControlPlayback:
                state.SetPlayback(new PlaybackState(
                    root.GetProperty("state").GetString()!,
                    root.TryGetProperty("source", out var source) ? source.GetString() : null,
                    root.TryGetProperty("volume", out var volume) ? volume.GetDouble() : null));
                return null;
            default:
            {
                var s = root.GetProperty("settings");
                state.Apply(new RuntimeSettings
                {
                    WakeSensitivity = s.TryGetProperty("wakeSensitivity", out var w) ? w.GetDouble() : null,
                    IntentMinConfidence = s.TryGetProperty("intentMinConfidence", out var c) ? c.GetDouble() : null,
                    EscalationEnabled = s.TryGetProperty("escalationEnabled", out var e) ? e.GetBoolean() : null,
                    SpeechEvents = s.TryGetProperty("speechEvents", out var sp) ? sp.GetBoolean() : null,
                });
                return null;
            }
        }
    }

    private ControlVerdict Reject(string reason, string? requestId)
    {
        Interlocked.Increment(ref _rejected);
        return new ControlVerdict(false, reason, requestId);
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
