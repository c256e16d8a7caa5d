using System.Buffers;
using System.Text.Json;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// A payload on the bus: the event contract's JSON exactly as JSON Lines carries it, followed by
/// <c>messageId</c> (a time-ordered UUID, the subscriber's dedupe key), <c>time</c> (wall clock, UTC)
/// and <c>schemaVersion</c>. Serialised with the core's source-generated context: no reflection.
/// </summary>
public static class MqttEnvelope
{
    /// <summary>Bumped on an incompatible change; fields may be added within a version.</summary>
    public const string SchemaVersion = "1.0";

    public const string ContentType = "application/json";

    public static string NewMessageId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString();

    public static byte[] ForEvent(CabinEvent e, string messageId, DateTimeOffset time)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
            JsonSerializer.Serialize(json, e, EventJsonContext.Default.CabinEvent);
        // The contract object always ends in '}': drop it and append the envelope's fields.
        var body = buffer.WrittenSpan;
        var tail = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(tail))
        {
            json.WriteStartObject();
            WriteEnvelopeFields(json, messageId, time);
            json.WriteEndObject();
        }
        var t = tail.WrittenSpan; // {"messageId":...}
        var result = new byte[body.Length - 1 + 1 + t.Length - 1];
        body[..^1].CopyTo(result);
        result[body.Length - 1] = (byte)',';
        t[1..].CopyTo(result.AsSpan(body.Length));
        return result;
    }

    /// <summary>Presence on the status topic: <c>online</c> as birth before any status, <c>offline</c> as last will.</summary>
    public static byte[] Presence(string state, string messageId, DateTimeOffset time) => Write(json =>
    {
        json.WriteString("type", "status");
        json.WriteString("state", state);
        WriteEnvelopeFields(json, messageId, time);
    });

    /// <summary>The verdict on one control message.</summary>
    public static byte[] ControlResponse(string topic, bool accepted, string? reason, string? requestMessageId, string messageId, DateTimeOffset time) => Write(json =>
    {
        json.WriteString("type", "control-response");
        json.WriteString("topic", topic);
        json.WriteBoolean("accepted", accepted);
        if (reason is not null) json.WriteString("reason", reason);
        if (requestMessageId is not null) json.WriteString("requestMessageId", requestMessageId);
        WriteEnvelopeFields(json, messageId, time);
    });

    /// <summary>Reads the envelope fields of a payload (null when missing or not JSON).</summary>
    public static string? ReadMessageId(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("messageId"u8);
                reader.Read();
                if (isId) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteEnvelopeFields(Utf8JsonWriter json, string messageId, DateTimeOffset time)
    {
        json.WriteString("messageId", messageId);
        json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("schemaVersion", SchemaVersion);
    }

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
