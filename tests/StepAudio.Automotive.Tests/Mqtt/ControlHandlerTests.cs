using System.Buffers;
using System.Text;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Tests.Mqtt;

public class ControlHandlerTests
{
    private static readonly string[] Zones = ["driver", "front-passenger", "rear-left", "rear-right"];

    private static ControlVerdict Handle(ControlHandler h, string name, string json) =>
        h.Handle(name, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ValidMessagesChangeTheControlState()
    {
        var state = new ControlState();
        var h = new ControlHandler(state, Zones, 4096);
        Assert.True(Handle(h, "mute", """{"zone":"all","muted":true}""").Accepted);
        Assert.All(Zones, z => Assert.True(state.IsMuted(z)));
        var v = Handle(h, "mute", """{"zone":"driver","muted":false,"messageId":"req-1"}""");
        Assert.True(v.Accepted);
        Assert.Equal("req-1", v.RequestMessageId);
        Assert.False(state.IsMuted("driver"));
        Assert.True(state.IsMuted("rear-left"));

        Assert.True(Handle(h, "occupancy", """{"seats":{"driver":true,"rear-right":false}}""").Accepted);
        Assert.True(state.IsOccupied("driver"));
        Assert.False(state.IsOccupied("rear-right"));
        Assert.Null(state.IsOccupied("rear-left"));

        Assert.True(Handle(h, "playback", """{"state":"playing","source":"radio","volume":0.4}""").Accepted);
        Assert.Equal(new PlaybackState("playing", "radio", 0.4), state.Playback);

        Assert.True(Handle(h, "config", """{"settings":{"wakeSensitivity":0.7,"speechEvents":false}}""").Accepted);
        Assert.True(Handle(h, "config", """{"settings":{"escalationEnabled":true}}""").Accepted);
        Assert.Equal(new RuntimeSettings { WakeSensitivity = 0.7, SpeechEvents = false, EscalationEnabled = true }, state.Settings);
        Assert.Equal(6, h.Accepted);
        Assert.Equal(0, h.Rejected);
    }

    [Theory]
    [InlineData("mute", """{"zone":"driver","muted":"yes"}""", "control/mute: /muted: ")]
    [InlineData("mute", """{"zone":"trunk","muted":true}""", "control/mute: /zone: unknown zone 'trunk'")]
    [InlineData("mute", """{"zone":"driver"}""", "control/mute: /: ")]
    [InlineData("occupancy", """{"seats":{"roof":true}}""", "control/occupancy: /seats/roof: unknown zone")]
    [InlineData("playback", """{"state":"playing","volume":7}""", "control/playback: /volume: ")]
    [InlineData("config", """{"settings":{"AudioDevice":"hw:0"}}""", "control/config: /settings/AudioDevice: not an allowed property")]
    [InlineData("config", """{"settings":{"wakeSensitivity":0.5}""", "control/config: not JSON: ")]
    [InlineData("reboot", """{}""", "control/reboot: unknown control topic (use mute, occupancy, playback or config)")]
    public void BadMessagesAreRejectedWithAReasonNamingTopicAndField(string name, string json, string reason)
    {
        var state = new ControlState();
        var h = new ControlHandler(state, Zones, 4096);
        var v = Handle(h, name, json);
        Assert.False(v.Accepted);
        Assert.StartsWith(reason, v.Reason, StringComparison.Ordinal);
        Assert.Equal(1, h.Rejected);
        Assert.Empty(state.MutedZones);
    }

    [Fact]
    public void OversizePayloadIsRejectedBeforeParsing()
    {
        var h = new ControlHandler(new ControlState(), Zones, 4096);
        var big = new byte[1 << 20];
        big.AsSpan().Fill((byte)'[');
        var v = h.Handle("mute", new ReadOnlySequence<byte>(big));
        Assert.Equal("control/mute: 1048576 bytes is over the 4096-byte limit", v.Reason);
    }
}
