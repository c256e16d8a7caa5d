namespace StepAudio.Automotive.Vision;

/// <summary>
/// A cabin camera input: a Y4M recording, a raw-frame pipe or a live V4L2 device. Frames come out as
/// 8-bit luma whatever the source's <see cref="Format"/>.
/// </summary>
public interface IVideoSource : IDisposable
{
    /// <summary>Where the frames come from, for status and error messages (e.g. <c>y4m:cabin.y4m</c>).</summary>
    string Name { get; }

    int Width { get; }
    int Height { get; }

    VideoPixelFormat Format { get; }

    /// <summary>Nominal frames per second (the recording's header, the configuration, or what the driver granted).</summary>
    double FrameRate { get; }

    /// <summary>True for a device that delivers in real time (and can vanish); false for recordings.</summary>
    bool IsLive { get; }

    /// <summary>
    /// Fills <paramref name="frame"/> (of this source's size) with the next frame and its timestamp. Blocks
    /// until one is available; returns false only at the end of the stream. A live device that fails
    /// raises <see cref="IOException"/>; bad data raises <see cref="InvalidInputException"/>.
    /// </summary>
    bool Read(VideoFrame frame);
}
