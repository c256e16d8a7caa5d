namespace StepAudio.Automotive.Vision;

/// <summary>
/// Headerless frames back to back on a stream (stdin or a FIFO), as a GStreamer or ffmpeg pipeline
/// writes them (e.g. Jetson's <c>nvarguscamerasrc ! nvvidconv ! video/x-raw,format=GRAY8 ! fdsink</c>).
/// Size, format and rate are not in the data, so they come from configuration; timestamps are the
/// frame number over the rate.
/// </summary>
public sealed class RawFrameSource : IVideoSource
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _pixels;
    private long _index;

    public RawFrameSource(Stream stream, string name, int width, int height, VideoPixelFormat format, double frameRate, bool isLive, bool ownsStream = true)
    {
        if (width is < 1 or > 16384) throw new InvalidInputException(name, $"width {width} is not in 1..16384");
        if (height is < 1 or > 16384) throw new InvalidInputException(name, $"height {height} is not in 1..16384");
        if (!(frameRate is > 0 and <= 1000)) throw new InvalidInputException(name, $"frame rate {frameRate} is not in (0, 1000] fps");
        if (format == VideoPixelFormat.Yuyv && width % 2 != 0) throw new InvalidInputException(name, $"YUYV needs an even width, not {width}");
        _stream = stream;
        _ownsStream = ownsStream;
        Name = name;
        Width = width;
        Height = height;
        Format = format;
        FrameRate = frameRate;
        IsLive = isLive;
        _pixels = new byte[width * height * format.BytesPerPixel()];
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }
    public VideoPixelFormat Format { get; }
    public double FrameRate { get; }
    public bool IsLive { get; }

    public bool Read(VideoFrame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, the source is {Width}x{Height}", nameof(frame));
        var got = 0;
        // A pipe hands over whatever is ready: keep reading until one whole frame is in.
        while (got < _pixels.Length)
        {
            var n = _stream.Read(_pixels, got, _pixels.Length - got);
            if (n == 0)
            {
                if (got == 0) return false;
                throw new InvalidInputException(Name, $"stream ended inside frame {_index} ({got} of {_pixels.Length} bytes): check the width, height and pixel format");
            }
            got += n;
        }
        Format.ToLuma(_pixels, frame.Luma);
        frame.Index = _index;
        frame.Timestamp = _index / FrameRate;
        _index++;
        return true;
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }
}
