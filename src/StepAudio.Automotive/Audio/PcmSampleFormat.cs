using System.Buffers.Binary;

namespace StepAudio.Automotive.Audio;

/// <summary>Little-endian interleaved PCM sample encodings that sources deliver.</summary>
public enum PcmSampleFormat
{
    S16,
    S24,
    S32,
    F32,
}

public static class PcmSampleFormatExtensions
{
    public static int BytesPerSample(this PcmSampleFormat format) => format switch
    {
        PcmSampleFormat.S16 => 2,
        PcmSampleFormat.S24 => 3,
        PcmSampleFormat.S32 => 4,
        PcmSampleFormat.F32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Parses the names used on the command line and in config: s16le, s24le, s32le, f32le.</summary>
    public static PcmSampleFormat Parse(string name, string source) => name.ToLowerInvariant() switch
    {
        "s16" or "s16le" or "s16_le" => PcmSampleFormat.S16,
        "s24" or "s24le" or "s24_3le" => PcmSampleFormat.S24,
        "s32" or "s32le" or "s32_le" => PcmSampleFormat.S32,
        "f32" or "f32le" or "float_le" => PcmSampleFormat.F32,
        _ => throw new InvalidInputException(source, $"unknown sample format '{name}' (use s16le, s24le, s32le or f32le)"),
    };

    /// <summary>Decodes little-endian samples into floats in [-1, 1). <paramref name="dst"/> holds one float per sample.</summary>
    public static void Decode(this PcmSampleFormat format, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (format)
        {
            case PcmSampleFormat.S16:
                for (var i = 0; i < dst.Length; i++)
                    dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]) * (1f / 32768f);
                break;
            case PcmSampleFormat.S24:
                for (var i = 0; i < dst.Length; i++)
                {
                    var b = src.Slice(3 * i, 3);
                    var v = (b[0] << 8) | (b[1] << 16) | (b[2] << 24); // sign lands in bit 31
                    dst[i] = (v >> 8) * (1f / 8388608f);
                }
                break;
            case PcmSampleFormat.S32:
                for (var i = 0; i < dst.Length; i++)
                    dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]) * (1f / 2147483648f);
                break;
            case PcmSampleFormat.F32:
                for (var i = 0; i < dst.Length; i++)
                    dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }
}
