using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

public class FrameClockTests
{
    [Fact]
    public void RegularTimestampsStartAtZeroAndKeepTheirSpacing()
    {
        var clock = new FrameClock(30);
        var times = Enumerable.Range(0, 5).Select(i => clock.Accept(1000 + (i / 30.0))).ToArray();
        Assert.Equal([0, 1 / 30.0, 2 / 30.0, 3 / 30.0, 4 / 30.0], times, (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal((5L, 0L, 0L, 0L), (clock.Frames, clock.Dropped, clock.OutOfOrder, clock.Jumps));
        Assert.Null(clock.Warning);
    }

    [Fact]
    public void GapsOfAFewFramesCountAsDropped()
    {
        var clock = new FrameClock(10);
        clock.Accept(0);
        clock.Accept(0.1);
        Assert.Equal(0.4, clock.Accept(0.4), 9); // 0.2 and 0.3 never came
        Assert.Equal(2, clock.Dropped);
        Assert.Equal(0, clock.Jumps);
    }

    [Fact]
    public void BackwardsTimestampIsCountedReportedAndReplaced()
    {
        var clock = new FrameClock(10);
        clock.Accept(5.0);
        clock.Accept(5.1);
        var t = clock.Accept(4.0); // driver clock reset
        Assert.Equal(0.2, t, 9);
        Assert.Equal(1, clock.OutOfOrder);
        Assert.Equal("frame 2 timestamp out of order (5.1 s then 4 s); continuing at 0.2 s", clock.Warning);
        // Later frames keep their spacing from the replaced one.
        Assert.Equal(0.3, clock.Accept(4.1), 9);
        Assert.Equal(1, clock.OutOfOrder);
    }

    [Fact]
    public void RepeatedTimestampIsOutOfOrder()
    {
        var clock = new FrameClock(10);
        clock.Accept(1.0);
        Assert.Equal(0.1, clock.Accept(1.0), 9);
        Assert.Equal(1, clock.OutOfOrder);
    }

    [Fact]
    public void LongJumpIsCountedAndClosed()
    {
        var clock = new FrameClock(30);
        clock.Accept(0);
        clock.Accept(1 / 30.0);
        var t = clock.Accept(3600);
        Assert.Equal(2 / 30.0, t, 9);
        Assert.Equal(1, clock.Jumps);
        Assert.Equal(0, clock.Dropped);
        Assert.Equal(3 / 30.0, clock.Accept(3600 + (1 / 30.0)), 9);
    }

    [Fact]
    public void NonFiniteTimestampIsRecovered()
    {
        var clock = new FrameClock(10);
        clock.Accept(0);
        Assert.Equal(0.1, clock.Accept(double.NaN), 9);
        Assert.Equal(0.2, clock.Accept(0.2), 9);
        Assert.Equal(1, clock.OutOfOrder);
    }
}
