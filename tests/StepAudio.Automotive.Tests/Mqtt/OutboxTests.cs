using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

public class OutboxTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private static OutboxMessage Message(ManualClock clock, string id, int qos = 1, bool escalation = false, int? expirySeconds = null) =>
        new(id, escalation ? "v/escalation" : qos == 0 ? "v/speech" : "v/intent", [(byte)'{', (byte)'}'], qos, false, escalation, "driver",
            clock.GetUtcNow(), expirySeconds is { } s ? clock.GetUtcNow().AddSeconds(s) : null);

    [Fact]
    public void MessagesSurviveReopeningAndLeaveInOrderUntilCompleted()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "sub", "outbox.db");
        var clock = new ManualClock(T0);
        using (var outbox = new Outbox(path, 1000, clock))
        {
            for (var i = 0; i < 10; i++) Assert.True(outbox.Add(Message(clock, $"m{i}")) > 0);
            outbox.Complete([.. outbox.NextToSend(0, 3).Select(m => m.Seq)]);
        }
        using (var outbox = new Outbox(path, 1000, clock))
        {
            Assert.Equal(7, outbox.Count);
            var next = outbox.NextToSend(0, 100);
            Assert.Equal(Enumerable.Range(3, 7).Select(i => $"m{i}"), next.Select(m => m.MessageId));
            Assert.Equal(["m6", "m7", "m8", "m9"], outbox.NextToSend(next[2].Seq, 100).Select(m => m.MessageId));
        }
    }

    [Fact]
    public void ExpiredMessagesAreDroppedAndCountedAcrossRestarts()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "outbox.db");
        var clock = new ManualClock(T0);
        using (var outbox = new Outbox(path, 1000, clock))
        {
            outbox.Add(Message(clock, "old", expirySeconds: 30));
            clock.Advance(TimeSpan.FromSeconds(20));
            outbox.Add(Message(clock, "new", expirySeconds: 30));
            outbox.Add(Message(clock, "forever"));
        }
        clock.Advance(TimeSpan.FromSeconds(15));
        using (var outbox = new Outbox(path, 1000, clock))
        {
            Assert.Equal(["new", "forever"], outbox.NextToSend(0, 10).Select(m => m.MessageId));
            Assert.Equal(1, outbox.Expired);
            clock.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal(["forever"], outbox.NextToSend(0, 10).Select(m => m.MessageId));
            Assert.Equal(2, outbox.Expired);
        }
    }

    [Fact]
    public void WhenFullOldestQos0GoFirstThenOtherMessagesButNeverAnEscalation()
    {
        var clock = new ManualClock(T0);
        using var outbox = new Outbox(Path.Combine(TestPaths.NewTempDir(), "outbox.db"), 100, clock);
        for (var i = 0; i < 50; i++) outbox.Add(Message(clock, $"e{i}", escalation: true, expirySeconds: 600));
        for (var i = 0; i < 25; i++) outbox.Add(Message(clock, $"s{i}", qos: 0));
        for (var i = 0; i < 25; i++) outbox.Add(Message(clock, $"i{i}"));
        Assert.Equal(100, outbox.Count);

        outbox.Add(Message(clock, "i25"));
        var ids = outbox.NextToSend(0, 1000).Select(m => m.MessageId).ToList();
        Assert.DoesNotContain("s0", ids);
        Assert.Contains("s1", ids);
        Assert.Equal(100, outbox.Count);

        for (var i = 26; i < 80; i++) outbox.Add(Message(clock, $"i{i}"));
        ids = outbox.NextToSend(0, 1000).Select(m => m.MessageId).ToList();
        Assert.DoesNotContain(ids, id => id.StartsWith('s'));
        Assert.Equal(50, ids.Count(id => id.StartsWith('e')));
        Assert.Equal("i30", ids.First(id => id.StartsWith('i')));

        // Full of escalations: another escalation still gets in, anything else is refused.
        for (var i = 50; i < 100; i++) outbox.Add(Message(clock, $"e{i}", escalation: true, expirySeconds: 600));
        Assert.Equal(100, outbox.Count);
        Assert.Equal(-1, outbox.Add(Message(clock, "late-intent")));
        Assert.True(outbox.Add(Message(clock, "e100", escalation: true, expirySeconds: 600)) > 0);
        Assert.Equal(101, outbox.Count);
        Assert.Equal(25 + 30 + 50 + 1, outbox.Overflowed); // QoS 0, intents, intents for escalations, the refused one
    }

    [Fact]
    public void EscalationsWaitForTheGatewaysAckAndComeDueForResend()
    {
        var clock = new ManualClock(T0);
        using var outbox = new Outbox(Path.Combine(TestPaths.NewTempDir(), "outbox.db"), 100, clock);
        var seq = outbox.Add(Message(clock, "esc", escalation: true, expirySeconds: 600));
        outbox.AwaitAck([seq], clock.GetUtcNow().AddSeconds(10));
        Assert.Empty(outbox.NextToSend(0, 10));
        Assert.Empty(outbox.DueForResend());
        Assert.Equal(0, outbox.Unacknowledged);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("esc", Assert.Single(outbox.DueForResend()).MessageId);
        Assert.True(outbox.Acknowledge("esc"));
        Assert.False(outbox.Acknowledge("esc"));
        Assert.Equal(0, outbox.Count);
    }
}
