using System.Globalization;
using System.Text;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// A YUV4MPEG2 recording (what ffmpeg and GStreamer write with <c>.y4m</c>): gray (<c>Cmono</c>) or
/// planar YUV (4:2:0, 4:2:2, 4:4:4), of which only the Y plane is kept. Timestamps are the frame
/// number over the header's frame rate, so a replay is exact.
/// </summary>
public sealed class Y4mFileSource : IVideoSource
{
    private const int MaxLine = 4096;
    private static readonly byte[] Magic = "YUV4MPEG2"u8.ToArray();
    private static readonly byte[] FrameTag = "FRAME"u8.ToArray();

    private readonly Stream _stream;
    private readonly string _path;
    private readonly byte[] _line = new byte[MaxLine];
    private readonly byte[] _skip;
    private readonly int _chromaBytes;
    private readonly long _firstFrame;
    private long _index;

    public Y4mFileSource(string path)
    {
        _path = path;
        Name = "y4m:" + Path.GetFileName(path);
        try
        {
            _stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot open video ({e.Message})");
        }
        try
        {
            (Width, Height, FrameRate, _chromaBytes) = ReadHeader();
            _firstFrame = _stream.Position;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
        _skip = new byte[Math.Max(1, Math.Min(_chromaBytes, 1 << 16))];
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }
    public VideoPixelFormat Format => VideoPixelFormat.Gray8;
    public double FrameRate { get; }
    public bool IsLive => false;

    /// <summary>Frames read so far.</summary>
    public long FramesRead => _index;

    private (int Width, int Height, double Rate, int ChromaBytes) ReadHeader()
    {
        var len = ReadLine("header");
        if (len < 0 || !_line.AsSpan(0, len).StartsWith(Magic) || (len > Magic.Length && _line[Magic.Length] != (byte)' '))
            throw new InvalidInputException(_path, "not a Y4M file (the first line must start with 'YUV4MPEG2')");
        int width = 0, height = 0;
        double rate = 0;
        var colour = "420jpeg";
        foreach (var token in Encoding.ASCII.GetString(_line, Magic.Length, len - Magic.Length).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var value = token[1..];
            switch (token[0])
            {
                case 'W':
                    width = ParsePositive(value, "W (width)");
                    break;
                case 'H':
                    height = ParsePositive(value, "H (height)");
                    break;
                case 'F':
                    var parts = value.Split(':');
                    if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var num)
                        || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var den) || num <= 0 || den <= 0)
                        throw new InvalidInputException(_path, $"header F (frame rate) '{value}' is not a ratio like 30:1");
                    rate = (double)num / den;
                    break;
                case 'C':
                    colour = value;
                    break;
                case 'I':
                    if (value is not ("p" or "?"))
                        throw new InvalidInputException(_path, $"interlaced video (I{value}) is not supported: deinterlace it first");
                    break;
                default:
                    break; // A (aspect) and X (extensions) do not matter here.
            }
        }
        if (width == 0) throw new InvalidInputException(_path, "header has no W (width)");
        if (height == 0) throw new InvalidInputException(_path, "header has no H (height)");
        if (rate == 0) throw new InvalidInputException(_path, "header has no F (frame rate)");
        if (rate > 1000) throw new InvalidInputException(_path, $"header frame rate {rate:0.###} fps is implausible");
        var chroma = colour switch
        {
            "mono" => 0,
            "420" or "420jpeg" or "420paldv" or "420mpeg2" => 2 * ((width + 1) / 2) * ((height + 1) / 2),
            "422" => 2 * ((width + 1) / 2) * height,
            "444" => 2 * width * height,
            _ => throw new InvalidInputException(_path, $"colour space C{colour} is not supported (use mono, 420, 422 or 444 at 8 bits)"),
        };
        return (width, height, rate, chroma);
    }

    private int ParsePositive(string value, string field)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v <= 0 || v > 16384)
            throw new InvalidInputException(_path, $"header {field} '{value}' is not a size in 1..16384");
        return v;
    }

    /// <summary>Reads one '\n'-terminated line into <see cref="_line"/>; its length, or -1 at a clean end of file.</summary>
    private int ReadLine(string what)
    {
        var n = 0;
        while (true)
        {
            var b = _stream.ReadByte();
            if (b < 0)
            {
                if (n == 0) return -1;
                throw new InvalidInputException(_path, $"{what} line is cut off at the end of the file");
            }
            if (b == '\n') return n;
            if (n == MaxLine) throw new InvalidInputException(_path, $"{what} line is longer than {MaxLine} bytes");
            _line[n++] = (byte)b;
        }
    }

    public bool Read(VideoFrame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, the video is {Width}x{Height}", nameof(frame));
        var len = ReadLine($"frame {_index}");
        if (len < 0) return false;
        if (!_line.AsSpan(0, len).StartsWith(FrameTag))
            throw new InvalidInputException(_path, $"frame {_index}: expected a FRAME marker (is the header's size or colour space wrong?)");
        ReadExactly(frame.Luma, "Y plane");
        for (var left = _chromaBytes; left > 0;)
        {
            var n = Math.Min(left, _skip.Length);
            ReadExactly(_skip.AsSpan(0, n), "chroma planes");
            left -= n;
        }
        frame.Index = _index;
        frame.Timestamp = _index / FrameRate;
        _index++;
        return true;
    }

    private void ReadExactly(Span<byte> destination, string part)
    {
        var got = 0;
        while (got < destination.Length)
        {
            var n = _stream.Read(destination[got..]);
            if (n == 0)
                throw new InvalidInputException(_path, $"frame {_index} is truncated ({part}: {got} of {destination.Length} bytes)");
            got += n;
        }
    }

    /// <summary>Starts again from the first frame (a looping HIL replay); timestamps restart at 0.</summary>
    public void Rewind()
    {
        _stream.Position = _firstFrame;
        _index = 0;
    }

    public void Dispose() => _stream.Dispose();
}
