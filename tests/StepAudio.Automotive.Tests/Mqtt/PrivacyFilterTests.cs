using System.Buffers;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt.Control;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Tests.Mqtt;

public class PrivacyFilterTests
{
    private sealed class ListSink : IEventSink
    {
        public List<CabinEvent> Events { get; } = [];

        public void Publish(CabinEvent e) => Events.Add(e);
    }

    [Fact]
    public void NothingFromAMutedZoneLeavesTheServiceButStatusDoes()
    {
        var state = new ControlState();
        var handler = new ControlHandler(state, ["driver", "rear-left"], 4096);
        var sink = new ListSink();
        var filter = new PrivacyFilter(state, sink);
        Assert.True(handler.Handle("mute", new ReadOnlySequence<byte>("""{"zone":"driver","muted":true}"""u8.ToArray())).Accepted);

        filter.Publish(new WakeEvent("hey_jarvis", "driver", 0.9, 1));
        filter.Publish(new WakeEvent("hey_jarvis", "rear-left", 0.9, 2));
        filter.Publish(SampleEvents.All[0]);
        Assert.Equal([2.0, 0.0], sink.Events.Select(e => e.StreamTime));

        Assert.True(handler.Handle("mute", new ReadOnlySequence<byte>("""{"zone":"all","muted":false}"""u8.ToArray())).Accepted);
        filter.Publish(new WakeEvent("hey_jarvis", "driver", 0.9, 3));
        Assert.Equal(3.0, sink.Events[^1].StreamTime);
    }
}
