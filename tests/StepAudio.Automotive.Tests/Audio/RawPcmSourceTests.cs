using StepAudio.Automotive.Audio;

namespace StepAudio.Automotive.Tests.Audio;

public class RawPcmSourceTests
{
    /// <summary>Hands out at most a few bytes per read, like a pipe under load.</summary>
    private sealed class TricklingStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }

    [Fact]
    public void ReassemblesFramesSplitAcrossReads()
    {
        var samples = Enumerable.Range(0, 4 * 50).Select(i => (short)((i * 97) - 9000)).ToArray();
        var bytes = samples.SelectMany(BitConverter.GetBytes).ToArray();
        using var src = new RawPcmSource(new TricklingStream(bytes, 5), "raw:test", 4, 16000, PcmSampleFormat.S16, isLive: true);
        var got = new List<float>();
        var buf = new float[4 * 7];
        int n;
        while ((n = src.Read(buf)) > 0) got.AddRange(buf[..(n * 4)]);
        Assert.Equal(samples.Select(s => s / 32768f), got);
    }

    [Fact]
    public void StrayBytesAtTheEndAreReported()
    {
        using var src = new RawPcmSource(new MemoryStream(new byte[8 + 3]), "raw:stdin", 4, 16000, PcmSampleFormat.S16, isLive: false);
        var buf = new float[64];
        Assert.Equal(1, src.Read(buf));
        var e = Assert.Throws<InvalidInputException>(() => src.Read(buf));
        Assert.Equal("raw:stdin: stream ended inside a frame (3 stray bytes): check the sample format and channel count", e.Message);
    }

    [Fact]
    public void UnknownFormatNameIsRejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => PcmSampleFormatExtensions.Parse("u8", "--format"));
        Assert.Equal("--format: unknown sample format 'u8' (use s16le, s24le, s32le or f32le)", e.Message);
    }
}
