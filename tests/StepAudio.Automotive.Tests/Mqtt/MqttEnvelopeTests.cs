using System.Text.Json;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

public class MqttEnvelopeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private static readonly MqttTopics Topics = new("vehicle/WVW123/voice/v1");

    [Fact]
    public void EveryEventTypeEnvelopeIsTheContractJsonPlusEnvelopeFieldsAndMatchesItsSchema()
    {
        foreach (var e in SampleEvents.All)
        {
            var id = MqttEnvelope.NewMessageId(Now);
            var payload = MqttEnvelope.ForEvent(e, id, Now);
            var contract = JsonSerializer.Serialize(e, EventJsonContext.Default.CabinEvent);
            var text = System.Text.Encoding.UTF8.GetString(payload);
            Assert.StartsWith(contract[..^1] + ",", text, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(payload);
            Assert.Equal(id, doc.RootElement.GetProperty("messageId").GetString());
            Assert.Equal("2026-11-26T07:00:00.000Z", doc.RootElement.GetProperty("time").GetString());
            Assert.Equal("1.0", doc.RootElement.GetProperty("schemaVersion").GetString());
            var schema = Topics.ForEvent(e)[(Topics.Prefix.Length + 1)..];
            Assert.Null(PayloadSchemas.Check(schema, doc.RootElement));
            Assert.Equal(id, MqttEnvelope.ReadMessageId(payload));
        }
    }

    [Fact]
    public void PresenceAndControlResponsesMatchTheirSchemas()
    {
        using var offline = JsonDocument.Parse(MqttEnvelope.Presence("offline", MqttEnvelope.NewMessageId(Now), Now));
        Assert.Null(PayloadSchemas.Check("status", offline.RootElement));
        using var rejected = JsonDocument.Parse(MqttEnvelope.ControlResponse("control/mute", false, "/zone: bad", null, MqttEnvelope.NewMessageId(Now), Now));
        Assert.Null(PayloadSchemas.Check("control-response", rejected.RootElement));
    }

    [Theory]
    [InlineData("intent", """{"type":"intent","intent":"x","slots":{},"zone":"driver","confidence":1.5,"utteranceStart":0,"utteranceEnd":0,"streamTime":0,"messageId":"0190a0b0-0000-7000-8000-000000000000","time":"2026-11-26T07:00:00.000Z","schemaVersion":"1.0"}""", "/confidence")]
    [InlineData("wake", """{"type":"wake","zone":"driver","confidence":0.5,"streamTime":0,"messageId":"0190a0b0-0000-7000-8000-000000000000","time":"2026-11-26T07:00:00.000Z","schemaVersion":"1.0"}""", "/")]
    [InlineData("control-mute", """{"zone":"driver","muted":"yes"}""", "/muted")]
    [InlineData("control-config", """{"settings":{"rm -rf":1}}""", "/settings")]
    [InlineData("status", """{"type":"status","state":"offline"}""", "/")]
    public void SchemasRejectWrongPayloadsNamingWhere(string schema, string json, string where)
    {
        using var doc = JsonDocument.Parse(json);
        var problem = PayloadSchemas.Check(schema, doc.RootElement);
        Assert.NotNull(problem);
        Assert.StartsWith(where, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageIdsAreTimeOrderedAndUnique()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => MqttEnvelope.NewMessageId(Now.AddMilliseconds(i))).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }
}
