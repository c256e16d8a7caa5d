using StepAudio.Automotive.Audio;

namespace StepAudio.Automotive.Tests.Audio;

public sealed class SampleRingTests
{
    private static float[] Ramp(int from, int count) => [.. Enumerable.Range(from, count).Select(i => (float)i)];

    [Fact]
    public void HoldsTheNewestSamplesByTheirPositionAcrossTheWrap()
    {
        var ring = new SampleRing(8);
        ring.Write(Ramp(0, 5));
        ring.Write(Ramp(5, 6)); // wraps: 0..2 overwritten
        Assert.Equal((3L, 11L), (ring.Oldest, ring.Written));
        var held = new float[8];
        ring.CopyTo(3, held);
        Assert.Equal(Ramp(3, 8), held);
        var middle = new float[3];
        ring.CopyTo(6, middle);
        Assert.Equal(Ramp(6, 3), middle);
    }

    [Fact]
    public void ABlockLongerThanTheRingKeepsItsTailAndCountsAllOfIt()
    {
        var ring = new SampleRing(4);
        ring.Write(Ramp(0, 3));
        ring.Write(Ramp(3, 10));
        Assert.Equal(13, ring.Written); // the clock of a zone that received one long block stays right
        var held = new float[4];
        ring.CopyTo(ring.Oldest, held);
        Assert.Equal(Ramp(9, 4), held);
    }

    [Fact]
    public void RefusesSamplesItNoLongerOrNotYetHolds()
    {
        var ring = new SampleRing(4);
        ring.Write(Ramp(0, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.CopyTo(1, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.CopyTo(4, new float[3]));
        ring.Clear();
        Assert.Equal((0L, 0L), (ring.Oldest, ring.Written));
    }
}
