namespace StepAudio.Automotive.Vision;

/// <summary>
/// One camera frame as 8-bit luma, row-major, <see cref="Width"/> × <see cref="Height"/>. Allocate one
/// per consumer with <see cref="For"/> and let the source refill it: nothing is allocated per frame.
/// </summary>
public sealed class VideoFrame
{
    public VideoFrame(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        Luma = new byte[width * height];
    }

    public static VideoFrame For(IVideoSource source) => new(source.Width, source.Height);

    public int Width { get; }
    public int Height { get; }
    public byte[] Luma { get; }

    /// <summary>Frame number from the source (0 for the first frame read).</summary>
    public long Index { get; set; }

    /// <summary>
    /// When the frame was captured, seconds since the first frame, on the source's own clock
    /// (frame count over frame rate for recordings; the driver's timestamp for a camera). Not yet checked:
    /// <see cref="FrameClock"/> turns it into a monotonic stream time.
    /// </summary>
    public double Timestamp { get; set; }

    public byte this[int x, int y] => Luma[(y * Width) + x];
}
