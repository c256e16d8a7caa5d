using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

public class Y4mFileSourceTests
{
    [Theory]
    [InlineData("mono")]
    [InlineData("420jpeg")]
    [InlineData("420mpeg2")]
    public void ReadsTheLumaPlaneAndTimesFramesFromTheHeaderRate(string colour)
    {
        var path = TestVideo.Write(TestPaths.NewTempDir(), TestVideo.Y4m(7, 5, 4, "15:1", colour));
        using var src = new Y4mFileSource(path);
        Assert.Equal((7, 5, 15.0, false), (src.Width, src.Height, src.FrameRate, src.IsLive));
        Assert.Equal("y4m:cam.y4m", src.Name);
        var frame = VideoFrame.For(src);
        for (var f = 0; f < 4; f++)
        {
            Assert.True(src.Read(frame));
            Assert.Equal(TestVideo.Luma(f, 7, 5), frame.Luma);
            Assert.Equal(f, frame.Index);
            Assert.Equal(f / 15.0, frame.Timestamp, 12);
        }
        Assert.False(src.Read(frame));
    }

    [Fact]
    public void RewindStartsAgainAtTheFirstFrame()
    {
        var path = TestVideo.Write(TestPaths.NewTempDir(), TestVideo.Y4m(6, 4, 3, "10:1", "420jpeg"));
        using var src = new Y4mFileSource(path);
        var frame = VideoFrame.For(src);
        while (src.Read(frame))
        {
        }
        src.Rewind();
        Assert.True(src.Read(frame));
        Assert.Equal((0L, 0.0), (frame.Index, frame.Timestamp));
        Assert.Equal(TestVideo.Luma(0, 6, 4), frame.Luma);
    }

    [Fact]
    public void FractionalFrameRateIsKept()
    {
        var path = TestVideo.Write(TestPaths.NewTempDir(), TestVideo.Y4m(4, 4, 1, "30000:1001"));
        using var src = new Y4mFileSource(path);
        Assert.Equal(29.97, src.FrameRate, 2);
    }

    [Fact]
    public void FrameMarkerWithParametersIsAccepted()
    {
        var bytes = TestVideo.Y4m(4, 2, 1);
        var text = System.Text.Encoding.ASCII.GetString(bytes).Replace("FRAME\n", "FRAME Ixyz\n", StringComparison.Ordinal);
        var path = TestVideo.Write(TestPaths.NewTempDir(), System.Text.Encoding.Latin1.GetBytes(text));
        using var src = new Y4mFileSource(path);
        var frame = VideoFrame.For(src);
        Assert.True(src.Read(frame));
        Assert.Equal(TestVideo.Luma(0, 4, 2), frame.Luma);
    }

    public static TheoryData<string, string> BadHeaders() => new()
    {
        { "RIFF1234", "not a Y4M file (the first line must start with 'YUV4MPEG2')" },
        { "YUV4MPEG2 H4 F30:1 Cmono", "header has no W (width)" },
        { "YUV4MPEG2 W4 F30:1 Cmono", "header has no H (height)" },
        { "YUV4MPEG2 W4 H4 Cmono", "header has no F (frame rate)" },
        { "YUV4MPEG2 W4 H4 F30:0 Cmono", "header F (frame rate) '30:0' is not a ratio like 30:1" },
        { "YUV4MPEG2 W-4 H4 F30:1", "header W (width) '-4' is not a size in 1..16384" },
        { "YUV4MPEG2 W4 H4 F30:1 Cmono16", "colour space Cmono16 is not supported (use mono, 420, 422 or 444 at 8 bits)" },
        { "YUV4MPEG2 W4 H4 F30:1 It Cmono", "interlaced video (It) is not supported: deinterlace it first" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void BadHeaderNamesTheFileAndTheField(string header, string problem)
    {
        var path = TestVideo.Write(TestPaths.NewTempDir(), System.Text.Encoding.ASCII.GetBytes(header + "\nFRAME\n"));
        var e = Assert.Throws<InvalidInputException>(() => new Y4mFileSource(path));
        Assert.Equal($"{path}: {problem}", e.Message);
    }

    [Fact]
    public void TruncatedFrameIsReportedWithItsNumber()
    {
        var bytes = TestVideo.Y4m(8, 4, 3, colour: "420jpeg");
        var path = TestVideo.Write(TestPaths.NewTempDir(), bytes[..^10]);
        using var src = new Y4mFileSource(path);
        var frame = VideoFrame.For(src);
        Assert.True(src.Read(frame));
        Assert.True(src.Read(frame));
        var e = Assert.Throws<InvalidInputException>(() => src.Read(frame));
        Assert.Equal($"{path}: frame 2 is truncated (chroma planes: 6 of 16 bytes)", e.Message);
    }

    [Fact]
    public void WrongFrameSizeInHeaderIsCaughtAtTheNextMarker()
    {
        // The header says 4x4 but the frames hold 4x2 pixels: the second marker is not where expected.
        var text = System.Text.Encoding.Latin1.GetString(TestVideo.Y4m(4, 2, 3)).Replace("H2", "H4", StringComparison.Ordinal);
        var path = TestVideo.Write(TestPaths.NewTempDir(), System.Text.Encoding.Latin1.GetBytes(text));
        using var src = new Y4mFileSource(path);
        var frame = VideoFrame.For(src);
        Assert.True(src.Read(frame));
        var e = Assert.Throws<InvalidInputException>(() => src.Read(frame));
        Assert.StartsWith($"{path}: frame 1: expected a FRAME marker", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "none.y4m");
        var e = Assert.Throws<InvalidInputException>(() => new Y4mFileSource(path));
        Assert.StartsWith($"{path}: cannot open video", e.Message, StringComparison.Ordinal);
    }
}
