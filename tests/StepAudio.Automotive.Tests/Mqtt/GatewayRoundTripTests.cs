using System.Buffers;
using System.Text;
using System.Text.Json;
using MQTTnet.Protocol;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>The contract round trip: the service publishes every event type, a subscriber on a real broker checks what arrives.</summary>
public class GatewayRoundTripTests
{
    internal static MqttOptions Options(string dir, string vin = "WVWZZZ1JZXW000001") => new()
    {
        Vin = vin,
        OutboxPath = Path.Combine(dir, "outbox.db"),
        ReconnectMinMilliseconds = 20,
        ReconnectMaxMilliseconds = 200,
        ModelVersions = new() { ["wake"] = "hey_jarvis-0.5.1", ["vad"] = "silero-v5" },
    };

    [Fact]
    public Task ContractRoundTripThroughMosquitto() => RoundTrip(useMosquitto: true);

    [Fact]
    public Task ContractRoundTripThroughTheEmbeddedBroker() => RoundTrip(useMosquitto: false);

    private static async Task RoundTrip(bool useMosquitto)
    {
        using var mosquitto = useMosquitto ? new MosquittoBroker() : null;
        await using var embedded = useMosquitto ? null : await EmbeddedBroker.StartAsync(0);
        var port = mosquitto?.Port ?? embedded!.Port;
        Assert.NotEqual(0, port);

        var dir = TestPaths.NewTempDir();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
        var options = Options(dir);
        var topics = MqttTopics.For(options);
        Assert.Equal("vehicle/WVWZZZ1JZXW000001/voice/v1", topics.Prefix);
        await using var subscriber = await BusSubscriber.ConnectAsync(port, topics);
        await using var publisher = new GatewayPublisher(options, GatewayAddress.Parse($"mqtt://127.0.0.1:{port}", "test"), clock);
        publisher.Start();

        var ids = SampleEvents.All.Select(publisher.Enqueue).ToList();
        Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(20)));
        Assert.True(await subscriber.WaitForAsync(s => ids.All(id => s.Messages.Any(m => BusSubscriber.Id(m) == id && m.UserProperties is not null))));
        Assert.Empty(subscriber.SchemaProblems);

        for (var i = 0; i < ids.Count; i++)
        {
            var e = SampleEvents.All[i];
            var m = subscriber.Messages.Last(m => BusSubscriber.Id(m) == ids[i]); // a status may also have gone out as birth
            Assert.Equal(topics.ForEvent(e), m.Topic);
            var contract = JsonSerializer.Serialize(e, EventJsonContext.Default.CabinEvent);
            Assert.StartsWith(contract[..^1], Encoding.UTF8.GetString(m.Payload.ToArray()), StringComparison.Ordinal);
            Assert.Equal("application/json", m.ContentType);
            var expectedQos = e is IntentEvent or EscalationEvent or StatusEvent ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
            Assert.Equal(expectedQos, m.QualityOfServiceLevel);
            var props = m.UserProperties.ToDictionary(p => p.Name, p => Encoding.UTF8.GetString(p.ValueBuffer.Span));
            Assert.Equal("hey_jarvis-0.5.1", props["model.wake"]);
            Assert.Equal("silero-v5", props["model.vad"]);
            Assert.Equal(ids[i], props["messageId"]);
            if (e.ZoneName is { } zone) Assert.Equal(zone, props["zone"]);
            if (e is IntentEvent) Assert.InRange(m.MessageExpiryInterval, 1u, 30u);
            if (e is EscalationEvent)
            {
                Assert.Equal(topics.EscalationAck, m.ResponseTopic);
                Assert.Equal(ids[i], Encoding.UTF8.GetString(m.CorrelationData));
            }
        }

        // Unacknowledged, the escalation goes again once its re-send time has come, with the same id.
        var escalationId = ids[SampleEvents.All.ToList().FindIndex(e => e is EscalationEvent)];
        Assert.Equal(1, publisher.Outbox.Count);
        clock.Advance(TimeSpan.FromSeconds(options.EscalationResendSeconds));
        Assert.True(await subscriber.WaitForAsync(s => s.On(topics.Escalation).Count(m => BusSubscriber.Id(m) == escalationId) >= 2));
        Assert.True(publisher.Resent >= 1);

        // The gateway's ack on the response topic, by correlation data, ends it.
        var esc = subscriber.On(topics.Escalation).First();
        await subscriber.SendAsync(esc.ResponseTopic, """{"handledBy":"concierge"}"""u8.ToArray(), correlation: esc.CorrelationData);
        Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(10), includeGatewayAcks: true));
        var resent = publisher.Resent;
        clock.Advance(TimeSpan.FromSeconds(options.EscalationResendSeconds * 3));
        Assert.Equal(0, publisher.Outbox.Count);
        Assert.Equal(resent, publisher.Resent);
    }

    [Fact]
    public async Task StatusIsRetainedWithABirthMessageForLateSubscribers()
    {
        using var broker = new MosquittoBroker();
        var options = Options(TestPaths.NewTempDir());
        var topics = MqttTopics.For(options);
        await using (var publisher = new GatewayPublisher(options, GatewayAddress.Parse(broker.Uri, "test")))
        {
            publisher.Start();
            await using var early = await BusSubscriber.ConnectAsync(broker.Port, topics, clientId: "early");
            Assert.True(await early.WaitForAsync(s => s.On(topics.Status).Any()));
            Assert.Equal("online", BusSubscriber.Json(early.On(topics.Status).First()).GetProperty("state").GetString());
            publisher.Enqueue(SampleEvents.All[^1]); // status "stopped"
            Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(10)));
        }
        await using var late = await BusSubscriber.ConnectAsync(broker.Port, topics, clientId: "late");
        Assert.True(await late.WaitForAsync(s => s.On(topics.Status).Any()));
        var status = late.On(topics.Status).Single();
        Assert.True(status.Retain);
        Assert.Equal("stopped", BusSubscriber.Json(status).GetProperty("state").GetString());
        Assert.Empty(late.SchemaProblems);
    }
}
