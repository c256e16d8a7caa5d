using StepAudio.Automotive.Pipeline;

namespace StepAudio.Automotive.Tests.Pipeline;

public class MicrophoneHealthMonitorTests
{
    private const int Hop = 160;

    /// <summary>Feeds hops until the monitor reports a change; returns the seconds that took.</summary>
    private static double SecondsToDetect(MicrophoneHealthMonitor m, Func<int, int, float> sample, int maxHops = 200)
    {
        var block = new float[Hop];
        for (var h = 0; h < maxHops; h++)
        {
            for (var c = 0; c < 4; c++)
            {
                for (var i = 0; i < Hop; i++) block[i] = sample(c, (h * Hop) + i);
                m.Observe(c, block);
            }
            if (m.EndBlock(Hop)) return (h + 1) * Hop / 16000.0;
        }
        return double.PositiveInfinity;
    }

    private static float Noise(int c, int n) => (float)(0.01 * Math.Sin((n * 0.37) + c) * Math.Cos(n * 0.011 * (c + 1)));

    [Fact]
    public void DeadChannelIsFoundWithinOneSecond()
    {
        var m = new MicrophoneHealthMonitor(4, 16000);
        var t = SecondsToDetect(m, (c, n) => c == 2 ? 0f : Noise(c, n));
        Assert.True(t <= 1.0, $"took {t} s");
        Assert.Equal([2], m.DeadChannels());
        Assert.False(m.IsUsable(2));
        Assert.True(m.IsUsable(0));
    }

    [Fact]
    public void ChannelStuckAtDcCountsAsDead()
    {
        var m = new MicrophoneHealthMonitor(4, 16000);
        Assert.True(SecondsToDetect(m, (c, n) => c == 1 ? 0.3f : Noise(c, n)) <= 1.0);
        Assert.Equal([1], m.DeadChannels());
    }

    [Fact]
    public void ClippingChannelIsFoundWithinOneSecond()
    {
        var m = new MicrophoneHealthMonitor(4, 16000);
        var t = SecondsToDetect(m, (c, n) => c == 3 ? Math.Clamp(400 * Noise(c, n), -1f, 1f) : Noise(c, n));
        Assert.True(t <= 1.0, $"took {t} s");
        Assert.Equal([3], m.ClippedChannels());
        Assert.Empty(m.DeadChannels());
    }

    [Fact]
    public void HealthyChannelsRaiseNothing()
    {
        var m = new MicrophoneHealthMonitor(4, 16000);
        Assert.Equal(double.PositiveInfinity, SecondsToDetect(m, Noise));
    }

    [Fact]
    public void NonFiniteSamplesAreZeroedAndCounted()
    {
        var m = new MicrophoneHealthMonitor(1, 16000);
        float[] block = [0.1f, float.NaN, float.PositiveInfinity, -0.2f, float.NegativeInfinity];
        m.Observe(0, block);
        Assert.Equal([0.1f, 0f, 0f, -0.2f, 0f], block);
        Assert.Equal(3, m.NonFiniteSamples);
    }
}
