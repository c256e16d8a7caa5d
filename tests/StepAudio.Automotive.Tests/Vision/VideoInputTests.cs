using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

public class VideoInputTests
{
    [Fact]
    public void FramesAreConsumedWhenStreamTimePassesTheirTimestamp()
    {
        var path = TestVideo.Write(TestPaths.NewTempDir(), TestVideo.Y4m(4, 4, 5, "10:1"));
        var seen = new List<(long Index, double Time, byte First)>();
        using var video = new VideoInput(new Y4mFileSource(path)) { FrameReady = (f, t) => seen.Add((f.Index, t, f.Luma[0])) };
        Assert.False(video.AdvanceTo(0.25));
        Assert.Equal([0L, 1, 2], seen.Select(s => s.Index));
        Assert.Equal(TestVideo.Pixel(2, 0, 0), seen[^1].First);
        Assert.False(video.AdvanceTo(0.29));
        Assert.Equal(3, seen.Count);
        video.AdvanceTo(0.35);
        Assert.Equal(4, seen.Count);
        Assert.True(video.AdvanceTo(10)); // the end is news
        Assert.Equal("ended", video.State);
        var status = video.Status();
        Assert.Equal(("y4m:cam.y4m", 5L, 10.0, 10.0, "GREY"), (status.Source, status.Frames, status.FrameRate, status.MeasuredFps, status.PixelFormat));
    }

    [Fact]
    public void ATruncatedRecordingLeavesTheInputLostWithoutThrowing()
    {
        var bytes = TestVideo.Y4m(4, 4, 3, "10:1");
        var path = TestVideo.Write(TestPaths.NewTempDir(), bytes[..^3]);
        using var video = new VideoInput(new Y4mFileSource(path));
        Assert.True(video.AdvanceTo(1));
        Assert.Equal("lost", video.State);
        Assert.Equal(2, video.Frames);
        Assert.Equal($"{path}: frame 2 is truncated (Y plane: 13 of 16 bytes)", video.Warning);
        Assert.False(video.AdvanceTo(2));
    }

    /// <summary>A camera whose driver clock misbehaves, or that vanishes after some frames, as a scripted source.</summary>
    private sealed class ScriptedSource(double[] timestamps, bool vanishAtEnd = false) : IVideoSource
    {
        private int _next;
        public string Name => "script";
        public int Width => 2;
        public int Height => 2;
        public VideoPixelFormat Format => VideoPixelFormat.Gray8;
        public double FrameRate => 10;
        public bool IsLive => true;

        public bool Read(VideoFrame frame)
        {
            if (_next == timestamps.Length)
                return vanishAtEnd ? throw new IOException("script: the camera stopped (poll events 0x10)") : false;
            frame.Index = _next;
            frame.Timestamp = timestamps[_next++];
            return true;
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void OutOfOrderAndJumpingTimestampsAreReportedOnceEachAndRecovered()
    {
        var times = new List<double>();
        var changes = 0;
        using var input = new VideoInput(new ScriptedSource([0, 0.1, 0.05, 0.15, 500, 500.1])) { FrameReady = (_, t) => times.Add(t) };
        for (var t = 0.01; t < 1; t += 0.01)
            if (input.AdvanceTo(t)) changes++;
        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 0.5], times.Select(t => Math.Round(t, 6)));
        var s = input.Status();
        Assert.Equal((1L, 1L), (s.OutOfOrder, s.TimestampJumps));
        Assert.Equal(3, changes); // out of order, jump, end
        Assert.Equal("ended", input.State);
        Assert.StartsWith("script: frame 4 timestamp jumped", input.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void ALostCameraIsReopenedOnStreamTimeAndItsFramesContinueAfterTheGap()
    {
        var opens = 0;
        IVideoSource Open() => ++opens switch
        {
            1 => new ScriptedSource([100, 100.1, 100.2], vanishAtEnd: true),
            2 => throw new IOException("v4l2:/dev/video0: cannot open the camera: No such file or directory (errno 2)"),
            _ => new ScriptedSource([7, 7.1, 7.2]), // a new driver clock
        };
        var times = new List<double>();
        using var input = new VideoInput(Open()) { Reopen = Open, RetrySeconds = 1, FrameReady = (_, t) => times.Add(t) };
        var log = new List<(double T, string State, string? Problem)>();
        for (var i = 1; i <= 400; i++)
        {
            var t = i * 0.01;
            if (input.AdvanceTo(t)) log.Add((Math.Round(t, 2), input.State, input.Problem));
        }
        // The read after the last frame (at 0.21 s, once 0.2 s is consumed) fails; the retry at 1.21 s
        // fails too; the one at 2.21 s succeeds and the new camera's frames follow from there.
        Assert.Equal((0.21, "lost", "script: the camera stopped (poll events 0x10)"), log[0]);
        Assert.Equal((2.21, "ok", (string?)null), log[1]);
        Assert.Equal("ended", log[2].State); // the reopened camera's script simply ends
        Assert.Equal([0, 0.1, 0.2, 2.21, 2.31, 2.41], times.Select(t => Math.Round(t, 2)));
        Assert.Equal(1, input.Reopened);
        Assert.Equal(0, input.Status().OutOfOrder);
    }

    [Fact]
    public void ALiveCameraMissingAtStartIsUsedOnceItAppears()
    {
        var opens = 0;
        IVideoSource Open() => ++opens switch
        {
            1 or 2 => throw new IOException("v4l2:/dev/video0: cannot open the camera: No such file or directory (errno 2)"),
            _ => new ScriptedSource([50, 50.1, 50.2]),
        };
        var times = new List<double>();
        using var input = VideoInput.Live(Open, "v4l2:/dev/video0", 8, 4, VideoPixelFormat.Gray8, 10);
        input.FrameReady = (_, t) => times.Add(t);
        // Lost from the start, with the reason, in the configured geometry, and no frame read.
        Assert.Equal(("lost", "v4l2:/dev/video0: cannot open the camera: No such file or directory (errno 2)"), (input.State, input.Problem));
        Assert.Equal((8, 4), (input.Width, input.Height));
        var changes = new List<(double T, string State)>();
        for (var i = 1; i <= 500; i++)
        {
            var t = i * 0.01;
            if (input.AdvanceTo(t)) changes.Add((Math.Round(t, 2), input.State));
        }
        // Tried at 2 s (still missing) and 4 s (there): its frames follow from then on.
        Assert.Equal((4.0, "ok"), changes[0]);
        Assert.Equal([4.0, 4.1, 4.2], times.Select(t => Math.Round(t, 2)));
        Assert.Equal(3, opens);
        Assert.Equal(1, input.Reopened);
    }
}
