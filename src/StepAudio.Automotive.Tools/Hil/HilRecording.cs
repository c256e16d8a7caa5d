using System.Text.Json;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>One message the rig received from the service, with when it arrived (seconds after the service was ready).</summary>
public sealed record HilMessage(string Topic, double ReceivedSeconds, JsonElement Payload)
{
    public string? Type => Payload.TryGetProperty("type", out var t) ? t.GetString() : null;

    public double StreamTime => Payload.GetProperty("streamTime").GetDouble();

    public string? Zone => Payload.TryGetProperty("zone", out var z) ? z.GetString() : null;

    /// <summary>A status message's state (<c>running</c>, <c>stopped</c>, …); null for other messages.</summary>
    public string? State => Type == "status" && Payload.TryGetProperty("state", out var s) ? s.GetString() : null;

    /// <summary>The service's last word: it publishes status <c>stopped</c> as it finishes a run.</summary>
    public bool IsFinalStatus => State == "stopped";
}

/// <summary>What the rig heard on the bus for one scenario (<c>recorded.jsonl</c>), one message per line.</summary>
public static class HilRecording
{
    public const string FileName = "recorded.jsonl";

    public static void Append(TextWriter writer, HilMessage m)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("topic", m.Topic);
            json.WriteNumber("receivedSeconds", Math.Round(m.ReceivedSeconds, 4));
            json.WritePropertyName("payload");
            m.Payload.WriteTo(json);
            json.WriteEndObject();
        }
        writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>
    /// The recorded messages, or null when the scenario was never run (no file). QoS 1 is at least
    /// once: a message delivered again (same <c>messageId</c>, as the MQTT contract tells subscribers
    /// to deduplicate) is kept once, so a resent escalation is not scored as a second one.
    /// </summary>
    public static IReadOnlyList<HilMessage>? Load(string path)
    {
        if (!File.Exists(path)) return null;
        var list = new List<HilMessage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                var payload = r.GetProperty("payload");
                if (payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("messageId", out var id) && id.GetString() is { } messageId && !seen.Add(messageId))
                    continue;
                list.Add(new HilMessage(r.GetProperty("topic").GetString()!, r.GetProperty("receivedSeconds").GetDouble(), payload.Clone()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidInputException($"{path}:{lineNumber}", "not a recorded message: " + e.Message);
            }
        }
        return list;
    }
}
