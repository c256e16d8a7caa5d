using MQTTnet;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>The shipped deploy/mosquitto/acl on a real Mosquitto: only the infotainment unit may control the service.</summary>
public class BrokerAclTests
{
    [Fact]
    public async Task OnlyInfotainmentMayControlAndOnlyTheServiceMayPublishEvents()
    {
        const string vin = "ACLVIN1";
        var dir = TestPaths.NewTempDir();
        var acl = Path.Combine(dir, "acl");
        File.WriteAllText(acl, File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "mosquitto", "acl")).Replace("<vin>", vin, StringComparison.Ordinal));
        using var broker = new MosquittoBroker($"acl_file {acl}");

        var options = GatewayRoundTripTests.Options(TestPaths.NewTempDir(), vin);
        options.Username = "stepaudio-" + vin;
        var topics = MqttTopics.For(options);
        var state = new ControlState();
        var handler = new ControlHandler(state, ["driver", "rear-left"], options.MaxControlBytes);
        await using var service = new GatewayPublisher(options, GatewayAddress.Parse(broker.Uri, "test"), control: handler);
        service.Start();
        await using var infotainment = await BusSubscriber.ConnectAsync(broker.Port, topics, clientId: "hu", username: "infotainment");
        await using var intruder = await BusSubscriber.ConnectAsync(broker.Port, topics, clientId: "phone", username: "phone-app");
        Assert.True(await infotainment.WaitForAsync(_ => service.IsConnected));

        var denied = await intruder.SendAsync(topics.Control("mute"), """{"zone":"all","muted":false}"""u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, denied.ReasonCode);
        var forged = await infotainment.SendAsync(topics.Intent, """{"type":"intent"}"""u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        var allowed = await infotainment.SendAsync(topics.Control("mute"), """{"zone":"driver","muted":true}"""u8.ToArray());
        Assert.True(allowed.IsSuccess, allowed.ReasonCode.ToString());
        Assert.True(await infotainment.WaitForAsync(_ => state.IsMuted("driver")));

        service.Enqueue(SampleEvents.Intent(1, 1));
        Assert.True(await service.WaitDrainedAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await infotainment.WaitForAsync(s => s.On(topics.Intent).Any()));
        Assert.Empty(intruder.Messages);
        Assert.Equal(1, handler.Accepted + handler.Rejected);
    }
}
