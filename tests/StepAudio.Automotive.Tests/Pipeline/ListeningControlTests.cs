using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;

namespace StepAudio.Automotive.Tests.Pipeline;

public class ListeningControlTests
{
    private static readonly float[] Hop = new float[CabinPipeline.HopFrames * 4];

    private static (CabinPipeline Pipeline, EventList Events) NewPipeline()
    {
        var events = new EventList();
        var pipeline = new CabinPipeline(CabinProfileReader.Load(TestPaths.ConsoleCabin), events);
        pipeline.Start("test");
        return (pipeline, events);
    }

    [Fact]
    public void PrivacySwitchMutesEveryZoneAtTheNextHopAndWinsOverSoftware()
    {
        var (pipeline, events) = NewPipeline();
        pipeline.Process(Hop);
        pipeline.Listening.SetPrivacySwitch(true);
        pipeline.Listening.SetMuted(null, false); // software cannot unmute what the switch muted
        pipeline.Process(Hop);

        var status = events.OfType<StatusEvent>()[^1];
        Assert.True(status.PrivacySwitch);
        Assert.Equal(["driver", "front-passenger", "rear-left", "rear-right"], status.MutedZones);
        Assert.Equal(0.02, status.StreamTime);

        pipeline.Listening.SetPrivacySwitch(false);
        pipeline.Process(Hop);
        var after = events.OfType<StatusEvent>()[^1];
        Assert.False(after.PrivacySwitch);
        Assert.Empty(after.MutedZones);
    }

    [Fact]
    public void SoftwareMuteIsPerZone()
    {
        var (pipeline, events) = NewPipeline();
        pipeline.Listening.SetMuted("rear-left", true);
        pipeline.Process(Hop);
        Assert.Equal(["rear-left"], events.OfType<StatusEvent>()[^1].MutedZones);
        Assert.Equal(2, events.OfType<StatusEvent>().Length);
        pipeline.Process(Hop);
        Assert.Equal(2, events.OfType<StatusEvent>().Length); // no change, no new status
    }

    [Fact]
    public void PushToTalkWakesItsZoneUnlessMuted()
    {
        var (pipeline, events) = NewPipeline();
        pipeline.Listening.PushToTalk("driver");
        pipeline.Process(Hop);
        var wake = Assert.Single(events.OfType<WakeEvent>());
        Assert.Equal(new WakeEvent("push-to-talk", "driver", 1.0, 0.01), wake);

        pipeline.Listening.SetMuted("driver", true);
        pipeline.Listening.PushToTalk("driver");
        pipeline.Process(Hop);
        Assert.Single(events.OfType<WakeEvent>());
    }

    [Fact]
    public void UnknownZonesAreRejectedWithTheZonesThatExist()
    {
        var (pipeline, _) = NewPipeline();
        var e = Assert.Throws<InvalidInputException>(() => pipeline.Listening.SetMuted("boot", true));
        Assert.Equal("zone: unknown zone 'boot' (this cabin has driver, front-passenger, rear-left, rear-right)", e.Message);
        Assert.Throws<InvalidInputException>(() => pipeline.Listening.PushToTalk("boot"));
    }
}
