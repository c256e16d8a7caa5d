using System.Buffers.Binary;
using System.Text;

namespace StepAudio.Automotive.Audio;

/// <summary>
/// Streams a multichannel RIFF/WAVE file: PCM 16/24/32-bit and IEEE float32, plain or
/// WAVE_FORMAT_EXTENSIBLE. The header is checked at open so a bad file fails before the pipeline starts.
/// </summary>
public sealed class WavFileSource : IAudioSource
{
    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    private readonly Stream _stream;
    private readonly int _blockAlign;
    private readonly string _path;
    private long _bytesLeft;
    private byte[] _scratch = [];

    private WavFileSource(Stream stream, string path, int channels, int sampleRate, PcmSampleFormat format, long dataBytes)
    {
        _stream = stream;
        _path = path;
        Channels = channels;
        SampleRate = sampleRate;
        Format = format;
        _blockAlign = channels * format.BytesPerSample();
        _bytesLeft = dataBytes;
        TotalFrames = dataBytes / _blockAlign;
    }

    public string Name => "wav:" + _path;
    public int Channels { get; }
    public int SampleRate { get; }
    public bool IsLive => false;
    public PcmSampleFormat Format { get; }
    public long TotalFrames { get; }
    public double DurationSeconds => (double)TotalFrames / SampleRate;

    public static WavFileSource Open(string path)
    {
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot open ({e.Message})");
        }
        try
        {
            return ReadHeader(fs, path);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    private static WavFileSource ReadHeader(FileStream fs, string path)
    {
        Span<byte> head = stackalloc byte[12];
        if (fs.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12)
            throw new InvalidInputException(path, $"truncated: {fs.Length} bytes is too short for a WAV header");
        if (!head[..4].SequenceEqual("RIFF"u8) || !head.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new InvalidInputException(path, "not a RIFF/WAVE file");

        int? channels = null, rate = null;
        PcmSampleFormat? format = null;
        Span<byte> chunk = stackalloc byte[8];
        while (true)
        {
            if (fs.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) < 8)
                throw new InvalidInputException(path, format is null ? "truncated: no 'fmt ' chunk" : "truncated: no 'data' chunk");
            var id = Encoding.ASCII.GetString(chunk[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == "fmt ")
            {
                if (size < 16) throw new InvalidInputException(path, $"'fmt ' chunk of {size} bytes is too short");
                var fmt = new byte[size];
                if (fs.ReadAtLeast(fmt, (int)size, throwOnEndOfStream: false) < size)
                    throw new InvalidInputException(path, "truncated inside the 'fmt ' chunk");
                (channels, rate, format) = ParseFormat(fmt, path);
                SkipPad(fs, size);
            }
            else if (id == "data")
            {
                if (format is null) throw new InvalidInputException(path, "'data' chunk comes before the 'fmt ' chunk");
                var blockAlign = channels!.Value * format.Value.BytesPerSample();
                var available = fs.Length - fs.Position;
                // 0 and 0xFFFFFFFF are written by streaming recorders that never patched the header.
                long dataBytes = size is 0 or uint.MaxValue ? available - (available % blockAlign) : size;
                if (dataBytes > available)
                    throw new InvalidInputException(path, $"truncated: the data chunk declares {dataBytes} bytes but only {available} follow");
                if (dataBytes % blockAlign != 0)
                    throw new InvalidInputException(path, $"truncated: the data chunk ends inside a frame ({dataBytes} bytes is not a multiple of {blockAlign})");
                return new WavFileSource(fs, path, channels.Value, rate!.Value, format.Value, dataBytes);
            }
            else
            {
                if (fs.Position + size > fs.Length) throw new InvalidInputException(path, $"truncated inside the '{id.Trim()}' chunk");
                fs.Seek(size, SeekOrigin.Current);
                SkipPad(fs, size);
            }
        }
    }

    private static void SkipPad(Stream fs, uint size)
    {
        if ((size & 1) == 1) fs.Seek(1, SeekOrigin.Current);
    }

    private static (int Channels, int Rate, PcmSampleFormat Format) ParseFormat(ReadOnlySpan<byte> fmt, string path)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40) throw new InvalidInputException(path, "WAVE_FORMAT_EXTENSIBLE header is too short");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]); // first bytes of the sub-format GUID
        }
        if (channels == 0) throw new InvalidInputException(path, "header declares 0 channels");
        if (rate <= 0) throw new InvalidInputException(path, $"header declares a sample rate of {rate} Hz");
        PcmSampleFormat format = (tag, bits) switch
        {
            (FormatPcm, 16) => PcmSampleFormat.S16,
            (FormatPcm, 24) => PcmSampleFormat.S24,
            (FormatPcm, 32) => PcmSampleFormat.S32,
            (FormatFloat, 32) => PcmSampleFormat.F32,
            (FormatPcm, _) => throw new InvalidInputException(path, $"PCM {bits}-bit is not supported (use 16, 24 or 32-bit PCM or 32-bit float)"),
            (FormatFloat, _) => throw new InvalidInputException(path, $"float {bits}-bit is not supported (use 32-bit float)"),
            _ => throw new InvalidInputException(path, $"not PCM: format tag 0x{tag:X4} (only PCM and IEEE float are read)"),
        };
        if (blockAlign != channels * format.BytesPerSample())
            throw new InvalidInputException(path, $"block align {blockAlign} does not match {channels} channels of {bits}-bit samples");
        return (channels, rate, format);
    }

    public int Read(Span<float> destination)
    {
        var frames = (int)Math.Min(destination.Length / Channels, _bytesLeft / _blockAlign);
        if (frames == 0) return 0;
        var bytes = frames * _blockAlign;
        if (_scratch.Length < bytes) _scratch = new byte[bytes];
        var got = _stream.ReadAtLeast(_scratch.AsSpan(0, bytes), bytes, throwOnEndOfStream: false);
        if (got < bytes) throw new InvalidInputException(_path, "truncated: file ended early while reading");
        _bytesLeft -= bytes;
        Format.Decode(_scratch.AsSpan(0, bytes), destination[..(frames * Channels)]);
        return frames;
    }

    public void Dispose() => _stream.Dispose();
}
