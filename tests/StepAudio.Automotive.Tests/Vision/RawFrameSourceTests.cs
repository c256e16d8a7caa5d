using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

public class RawFrameSourceTests
{
    /// <summary>Hands out at most a few bytes per read, like a pipe under load.</summary>
    private sealed class TricklingStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }

    private static byte[] Encode(VideoPixelFormat format, byte[] luma) => format switch
    {
        VideoPixelFormat.Gray8 => luma,
        // Low byte carries noise that must be dropped; the high byte is the luma.
        VideoPixelFormat.Gray16 => luma.SelectMany(v => new[] { (byte)(v ^ 0x5a), v }).ToArray(),
        _ => luma.SelectMany((v, i) => new[] { v, (byte)(i % 2 == 0 ? 90 : 200) }).ToArray(),
    };

    [Theory]
    [InlineData(VideoPixelFormat.Gray8)]
    [InlineData(VideoPixelFormat.Gray16)]
    [InlineData(VideoPixelFormat.Yuyv)]
    public void ReassemblesFramesFromAPipeAndKeepsTheLuma(VideoPixelFormat format)
    {
        const int w = 6, h = 3;
        var data = Enumerable.Range(0, 5).SelectMany(f => Encode(format, TestVideo.Luma(f, w, h))).ToArray();
        using var src = new RawFrameSource(new TricklingStream(data, 7), "raw:stdin", w, h, format, 20, isLive: true);
        var frame = VideoFrame.For(src);
        for (var f = 0; f < 5; f++)
        {
            Assert.True(src.Read(frame));
            Assert.Equal(TestVideo.Luma(f, w, h), frame.Luma);
            Assert.Equal(f * 0.05, frame.Timestamp, 12);
        }
        Assert.False(src.Read(frame));
    }

    [Fact]
    public void StreamEndingInsideAFrameIsReported()
    {
        using var src = new RawFrameSource(new MemoryStream(new byte[(4 * 4) + 5]), "raw:stdin", 4, 4, VideoPixelFormat.Gray8, 30, isLive: false);
        var frame = VideoFrame.For(src);
        Assert.True(src.Read(frame));
        var e = Assert.Throws<InvalidInputException>(() => src.Read(frame));
        Assert.Equal("raw:stdin: stream ended inside frame 1 (5 of 16 bytes): check the width, height and pixel format", e.Message);
    }

    [Fact]
    public void UnsupportedPixelFormatNameIsRejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => VideoPixelFormatExtensions.Parse("MJPG", "--pixel-format"));
        Assert.Equal("--pixel-format: unsupported pixel format 'MJPG' (use GREY, Y16 or YUYV)", e.Message);
        Assert.Equal(VideoPixelFormat.Gray16, VideoPixelFormatExtensions.Parse("y16", "x"));
    }

    [Fact]
    public void ImplausibleGeometryIsRejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => new RawFrameSource(new MemoryStream(), "raw:stdin", 5, 4, VideoPixelFormat.Yuyv, 30, false));
        Assert.Equal("raw:stdin: YUYV needs an even width, not 5", e.Message);
        Assert.Throws<InvalidInputException>(() => new RawFrameSource(new MemoryStream(), "raw:stdin", 4, 4, VideoPixelFormat.Gray8, 0, false));
    }
}
