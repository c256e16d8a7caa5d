using System.Text;
using StepAudio.Automotive.Vision.V4l2;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// Live capture from a V4L2 camera (/dev/videoN) with memory-mapped streaming buffers: GREY, Y16 or YUYV.
/// Each frame is dequeued, converted to luma into the caller's frame and handed straight back to the
/// driver. A camera that vanishes or stops delivering raises <see cref="IOException"/> so the runner
/// reports it and reopens; a format the camera cannot give is an <see cref="InvalidInputException"/>.
/// </summary>
public sealed unsafe class V4l2CaptureSource : IVideoSource
{
    private readonly int _timeoutMs;
    private readonly nint[] _maps;
    private readonly nuint[] _mapLengths;
    private readonly int _bytesPerLine;
    private int _fd = -1;
    private bool _streaming;
    private long _index;
    private long _firstMicroseconds = long.MinValue;

    /// <param name="device">Device node, e.g. <c>/dev/video0</c>.</param>
    /// <param name="timeout">How long a frame may take before the camera counts as lost.</param>
    public V4l2CaptureSource(string device, int width, int height, VideoPixelFormat format, double frameRate, int bufferCount = 4, TimeSpan? timeout = null)
    {
        Name = "v4l2:" + device;
        if (!(frameRate is > 0 and <= 1000)) throw new InvalidInputException(Name, $"frame rate {frameRate} is not in (0, 1000] fps");
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferCount, 2);
        Format = format;
        FrameRate = frameRate;
        _timeoutMs = (int)(timeout ?? TimeSpan.FromSeconds(Math.Max(1.0, 10 / frameRate))).TotalMilliseconds;
        _maps = new nint[bufferCount];
        _mapLengths = new nuint[bufferCount];
        try
        {
            _fd = V4l2Native.Open(device, V4l2Native.ORdWr | V4l2Native.ONonBlock | V4l2Native.OCloExec);
            if (_fd < 0)
                throw new IOException($"{Name}: cannot open the camera: {V4l2Native.LastError(out _)}");
            CheckCapabilities();
            (Width, Height, _bytesPerLine) = SetFormat(width, height, format);
            MapBuffers(bufferCount);
            var type = (int)V4l2Native.BufTypeVideoCapture;
            Ioctl(V4l2Native.StreamOn, &type, "VIDIOC_STREAMON");
            _streaming = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }
    public VideoPixelFormat Format { get; }

    /// <summary>The configured rate; the driver's timestamps carry the real timing.</summary>
    public double FrameRate { get; }

    public bool IsLive => true;

    /// <summary>The driver's name and card, from VIDIOC_QUERYCAP.</summary>
    public string Card { get; private set; } = "";

    private void CheckCapabilities()
    {
        V4l2Capability cap;
        Ioctl(V4l2Native.QueryCap, &cap, "VIDIOC_QUERYCAP");
        Card = $"{Text(cap.Driver, 16)} {Text(cap.Card, 32)}";
        var caps = (cap.Capabilities & V4l2Native.CapDeviceCaps) != 0 ? cap.DeviceCaps : cap.Capabilities;
        if ((caps & V4l2Native.CapVideoCapture) == 0)
            throw new InvalidInputException(Name, $"{Card} is not a video capture device (capabilities 0x{caps:x8})");
        if ((caps & V4l2Native.CapStreaming) == 0)
            throw new InvalidInputException(Name, $"{Card} does not support streaming I/O (capabilities 0x{caps:x8})");
    }

    private static string Text(byte* bytes, int max)
    {
        var n = 0;
        while (n < max && bytes[n] != 0) n++;
        return Encoding.UTF8.GetString(bytes, n);
    }

    private (int Width, int Height, int BytesPerLine) SetFormat(int width, int height, VideoPixelFormat format)
    {
        var fourCc = format switch
        {
            VideoPixelFormat.Gray8 => V4l2Native.Grey,
            VideoPixelFormat.Gray16 => V4l2Native.Y16,
            _ => V4l2Native.Yuyv,
        };
        var f = default(V4l2Format);
        f.Type = V4l2Native.BufTypeVideoCapture;
        f.Pix.Width = (uint)width;
        f.Pix.Height = (uint)height;
        f.Pix.PixelFormat = fourCc;
        f.Pix.Field = V4l2Native.FieldNone;
        Ioctl(V4l2Native.SetFormat, &f, "VIDIOC_S_FMT");
        // The driver answers with the nearest it can do: a different format is unusable, another size is fine.
        if (f.Pix.PixelFormat != fourCc)
            throw new InvalidInputException(Name, $"the camera does not deliver {format.Name()} (it offered {V4l2Native.FourCcName(f.Pix.PixelFormat)}); use a format it supports (v4l2-ctl --list-formats)");
        var rowBytes = (int)f.Pix.Width * format.BytesPerPixel();
        var stride = Math.Max((int)f.Pix.BytesPerLine, rowBytes);
        return ((int)f.Pix.Width, (int)f.Pix.Height, stride);
    }

    private void MapBuffers(int count)
    {
        var req = default(V4l2RequestBuffers);
        req.Count = (uint)count;
        req.Type = V4l2Native.BufTypeVideoCapture;
        req.Memory = V4l2Native.MemoryMmap;
        Ioctl(V4l2Native.RequestBuffers, &req, "VIDIOC_REQBUFS");
        if (req.Count < 2) throw new IOException($"{Name}: the driver granted {req.Count} buffer(s); streaming needs at least 2");
        for (var i = 0; i < Math.Min((int)req.Count, count); i++)
        {
            var buf = default(V4l2Buffer);
            buf.Type = V4l2Native.BufTypeVideoCapture;
            buf.Memory = V4l2Native.MemoryMmap;
            buf.Index = (uint)i;
            Ioctl(V4l2Native.QueryBuffer, &buf, "VIDIOC_QUERYBUF");
            var map = V4l2Native.Mmap(0, buf.Length, V4l2Native.ProtRead | V4l2Native.ProtWrite, V4l2Native.MapShared, _fd, (nint)buf.Offset);
            if (map == -1) throw new IOException($"{Name}: mmap of buffer {i} failed: {V4l2Native.LastError(out _)}");
            _maps[i] = map;
            _mapLengths[i] = buf.Length;
            Ioctl(V4l2Native.QueueBuffer, &buf, "VIDIOC_QBUF");
        }
    }

    public bool Read(VideoFrame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, the camera gives {Width}x{Height}", nameof(frame));
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        while (true)
        {
            var pfd = new PollFd { Fd = _fd, Events = V4l2Native.PollIn };
            var ready = V4l2Native.Poll(&pfd, 1, _timeoutMs);
            if (ready < 0)
            {
                var message = V4l2Native.LastError(out var errno);
                if (errno == V4l2Native.EIntr) continue;
                throw new IOException($"{Name}: poll failed: {message}");
            }
            if (ready == 0) throw new IOException($"{Name}: no frame for {_timeoutMs} ms");
            if ((pfd.ReturnedEvents & (V4l2Native.PollErr | V4l2Native.PollHup | V4l2Native.PollNval)) != 0)
                throw new IOException($"{Name}: the camera stopped (poll events 0x{(ushort)pfd.ReturnedEvents:x})");

            var buf = default(V4l2Buffer);
            buf.Type = V4l2Native.BufTypeVideoCapture;
            buf.Memory = V4l2Native.MemoryMmap;
            if (V4l2Native.Ioctl(_fd, V4l2Native.DequeueBuffer, &buf) < 0)
            {
                var message = V4l2Native.LastError(out var errno);
                if (errno is V4l2Native.EAgain or V4l2Native.EIntr) continue;
                throw new IOException($"{Name}: VIDIOC_DQBUF failed: {message}");
            }
            var good = (buf.Flags & V4l2Native.BufFlagError) == 0 && buf.Index < _maps.Length
                && buf.BytesUsed >= (uint)(((Height - 1) * _bytesPerLine) + (Width * Format.BytesPerPixel()));
            if (good) Convert(buf, frame);
            // Hand the buffer straight back, good or not: the driver must never run dry.
            Ioctl(V4l2Native.QueueBuffer, &buf, "VIDIOC_QBUF");
            if (good) return true;
        }
    }

    private void Convert(in V4l2Buffer buf, VideoFrame frame)
    {
        var source = new ReadOnlySpan<byte>((void*)_maps[buf.Index], (int)buf.BytesUsed);
        var rowBytes = Width * Format.BytesPerPixel();
        for (var y = 0; y < Height; y++)
            Format.ToLuma(source.Slice(y * _bytesPerLine, rowBytes), frame.Luma.AsSpan(y * Width, Width));
        var micros = (buf.TimestampSeconds * 1_000_000) + buf.TimestampMicroseconds;
        if (_firstMicroseconds == long.MinValue) _firstMicroseconds = micros;
        frame.Index = _index++;
        frame.Timestamp = (micros - _firstMicroseconds) / 1e6;
    }

    private void Ioctl(nuint request, void* arg, string what)
    {
        if (V4l2Native.Ioctl(_fd, request, arg) < 0)
            throw new IOException($"{Name}: {what} failed: {V4l2Native.LastError(out _)}");
    }

    public void Dispose()
    {
        if (_fd < 0) return;
        if (_streaming)
        {
            var type = (int)V4l2Native.BufTypeVideoCapture;
            _ = V4l2Native.Ioctl(_fd, V4l2Native.StreamOff, &type);
            _streaming = false;
        }
        for (var i = 0; i < _maps.Length; i++)
        {
            if (_maps[i] == 0) continue;
            _ = V4l2Native.Munmap(_maps[i], _mapLengths[i]);
            _maps[i] = 0;
        }
        _ = V4l2Native.Close(_fd);
        _fd = -1;
    }
}
