using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

public class LastWillTests
{
    [Fact]
    public async Task ALostConnectionLeavesOfflineRetainedAndTheReconnectRestoresTheLastStatus()
    {
        await using var broker = await EmbeddedBroker.StartAsync(0);
        var options = GatewayRoundTripTests.Options(TestPaths.NewTempDir());
        var topics = MqttTopics.For(options);
        await using var publisher = new GatewayPublisher(options, GatewayAddress.Parse(broker.Uri, "test"));
        publisher.Start();
        await using var watcher = await BusSubscriber.ConnectAsync(broker.Port, topics, clientId: "watcher");
        var statusId = publisher.Enqueue(SampleEvents.All[0]); // running
        Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(10)));

        // The broker drops the service without a DISCONNECT from it: the will goes out.
        await broker.DisconnectClientAsync(options.EffectiveClientId);
        Assert.True(await watcher.WaitForAsync(s => s.On(topics.Status).Any(m => BusSubscriber.Json(m).GetProperty("state").GetString() == "offline")));
        // The publisher reconnects by itself and its birth message is the last status it decided.
        Assert.True(await watcher.WaitForAsync(_ => publisher.Connects == 2));
        Assert.True(await watcher.WaitForAsync(s => BusSubscriber.Json(s.On(topics.Status).Last()).GetProperty("state").GetString() == "running"));
        Assert.Equal(statusId, BusSubscriber.Id(watcher.On(topics.Status).Last()));
        Assert.Empty(watcher.SchemaProblems);
    }
}
