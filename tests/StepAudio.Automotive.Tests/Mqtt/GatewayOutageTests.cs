using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>
/// The gateway's broker goes away for five minutes (of the service's clock, moved by hand) while
/// 1 000 intents and 100 escalations are decided, and the service restarts once in the middle.
/// </summary>
public class GatewayOutageTests
{
    [Fact]
    public async Task AfterAFiveMinuteOutageAndARestartEveryUnexpiredMessageArrivesOnceInOrderAndExpiredAreCounted()
    {
        using var broker = new MosquittoBroker();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
        var options = GatewayRoundTripTests.Options(TestPaths.NewTempDir());
        var topics = MqttTopics.For(options);
        var gateway = GatewayAddress.Parse(broker.Uri, "test");
        // The gateway side keeps a persistent session, so the broker queues for it while it reconnects.
        await using var subscriber = await BusSubscriber.ConnectAsync(broker.Port, topics, ackEscalations: true, clientId: "gateway", persistentSession: true);

        var publisher = new GatewayPublisher(options, gateway, clock);
        publisher.Start();
        Assert.True(await subscriber.WaitForAsync(_ => publisher.IsConnected));

        broker.Stop();
        Assert.True(await subscriber.WaitForAsync(_ => !publisher.IsConnected));
        var outageStart = clock.GetUtcNow();

        // Ten bursts 30 s apart: 100 intents, each tenth followed by an escalation, 10 ms apart.
        var produced = new List<(string Id, bool Escalation, DateTimeOffset At)>();
        for (var burst = 0; burst < 10; burst++)
        {
            clock.Advance(TimeSpan.FromSeconds(burst == 0 ? 10 : 30) - TimeSpan.FromSeconds(1));
            if (burst == 5)
            {
                // The service restarts in the middle of the outage: same outbox file, new process state.
                await publisher.DisposeAsync();
                publisher = new GatewayPublisher(options, gateway, clock);
                publisher.Start();
            }
            for (var i = 0; i < 100; i++)
            {
                var t = (clock.GetUtcNow() - outageStart).TotalSeconds;
                produced.Add((publisher.Enqueue(SampleEvents.Intent((burst * 100) + i, t)), false, clock.GetUtcNow()));
                if (i % 10 == 9) produced.Add((publisher.Enqueue(SampleEvents.Escalation(t)), true, clock.GetUtcNow()));
                clock.Advance(TimeSpan.FromMilliseconds(10));
            }
        }
        clock.Advance(outageStart.AddMinutes(5) - clock.GetUtcNow());
        Assert.Equal(1100, publisher.Outbox.Count);

        // Back after five minutes: only the last burst's intents are younger than 30 s; escalations live 10 minutes.
        broker.Start();
        await subscriber.ConnectAsync(broker.Port, "gateway", persistentSession: true);
        var now = clock.GetUtcNow();
        var expected = produced.Where(p => p.Escalation || p.At.AddSeconds(options.IntentExpirySeconds) > now).Select(p => p.Id).ToList();
        Assert.Equal(200, expected.Count);

        await using (publisher)
        {
            Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(60), includeGatewayAcks: true), $"{publisher.Outbox.Count} left in the outbox");
            var expectedSet = expected.ToHashSet();
            Assert.True(await subscriber.WaitForAsync(s => s.Messages.Select(BusSubscriber.Id).Where(expectedSet.Contains).Distinct().Count() == expected.Count));

            var seen = subscriber.Messages.Where(m => m.Topic == topics.Intent || m.Topic == topics.Escalation).Select(BusSubscriber.Id).ToList();
            var deduped = new List<string>();
            var ids = new HashSet<string>();
            foreach (var id in seen)
                if (ids.Add(id)) deduped.Add(id);
            Assert.Equal(expected, deduped); // all of them, in order, nothing expired, nothing twice after dedupe
            Assert.Equal(900, publisher.Outbox.Expired);
            Assert.Equal(0, publisher.Outbox.Overflowed);
            Assert.Empty(subscriber.SchemaProblems);
            Assert.All(subscriber.On(topics.Intent), m => Assert.InRange(m.MessageExpiryInterval, 1u, 30u));
        }
    }
}
