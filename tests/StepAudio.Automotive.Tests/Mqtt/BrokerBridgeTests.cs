using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>deploy/mosquitto/bridge.conf between a local Mosquitto (the service's) and the gateway's (TLS lines left out: TLS is tested on its own).</summary>
public class BrokerBridgeTests
{
    [Fact]
    public async Task EventsCrossTheBridgeOutAndControlAndAcksComeBackIn()
    {
        const string vin = "BRIDGEVIN";
        using var gatewayBroker = new MosquittoBroker();
        var bridge = string.Join('\n', File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "deploy", "mosquitto", "bridge.conf"))
            .Where(l => !l.StartsWith("bridge_cafile", StringComparison.Ordinal) && !l.StartsWith("bridge_certfile", StringComparison.Ordinal)
                && !l.StartsWith("bridge_keyfile", StringComparison.Ordinal) && !l.StartsWith("bridge_tls_version", StringComparison.Ordinal))
            .Select(l => l.Replace("<vin>", vin, StringComparison.Ordinal).Replace("<gateway-host>:8883", $"127.0.0.1:{gatewayBroker.Port}", StringComparison.Ordinal)));
        using var localBroker = new MosquittoBroker(tail: bridge);

        var options = GatewayRoundTripTests.Options(TestPaths.NewTempDir(), vin);
        var topics = MqttTopics.For(options);
        var state = new ControlState();
        await using var gateway = await BusSubscriber.ConnectAsync(gatewayBroker.Port, topics, ackEscalations: true, clientId: "gateway");
        await using var service = new GatewayPublisher(options, GatewayAddress.Parse(localBroker.Uri, "test"), control: new ControlHandler(state, ["driver"], 4096));
        service.Start();

        var intent = service.Enqueue(SampleEvents.Intent(7, 1.0));
        service.Enqueue(SampleEvents.Escalation(2.0));
        Assert.True(await gateway.WaitForAsync(s => s.On(topics.Intent).Any(m => BusSubscriber.Id(m) == intent)));
        // The escalation's ack comes back over the bridge and empties the outbox.
        Assert.True(await service.WaitDrainedAsync(TimeSpan.FromSeconds(20), includeGatewayAcks: true));

        await gateway.SendAsync(topics.Control("mute"), """{"zone":"driver","muted":true}"""u8.ToArray());
        Assert.True(await gateway.WaitForAsync(_ => state.IsMuted("driver")));
        Assert.Empty(gateway.SchemaProblems);
    }
}
