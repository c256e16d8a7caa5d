using System.Buffers.Binary;

namespace StepAudio.Automotive.Audio;

/// <summary>Writes interleaved float samples as a RIFF/WAVE file in any format <see cref="WavFileSource"/> reads.</summary>
public static class WavWriter
{
    public static void Write(string path, ReadOnlySpan<float> interleaved, int channels, int sampleRate, PcmSampleFormat format = PcmSampleFormat.S16, bool extensible = false)
    {
        using var fs = File.Create(path);
        Write(fs, interleaved, channels, sampleRate, format, extensible);
    }

    public static void Write(Stream stream, ReadOnlySpan<float> interleaved, int channels, int sampleRate, PcmSampleFormat format = PcmSampleFormat.S16, bool extensible = false)
    {
        var bps = format.BytesPerSample();
        var dataBytes = interleaved.Length * bps;
        var fmtSize = extensible ? 40 : 16;
        var header = new byte[12 + 8 + fmtSize + 8];
        var h = header.AsSpan();
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], header.Length - 8 + dataBytes);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], fmtSize);
        ushort tag = format == PcmSampleFormat.F32 ? (ushort)3 : (ushort)1;
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], extensible ? (ushort)0xFFFE : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], sampleRate * channels * bps);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)(channels * bps));
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], (ushort)(8 * bps));
        var o = 36;
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[36..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(h[38..], (ushort)(8 * bps));
            BinaryPrimitives.WriteUInt32LittleEndian(h[40..], 0); // no speaker mask: microphones
            BinaryPrimitives.WriteUInt16LittleEndian(h[44..], tag);
            // Rest of the KSDATAFORMAT_SUBTYPE GUID: 0000-0010-8000-00aa00389b71
            ReadOnlySpan<byte> guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            guidTail.CopyTo(h[46..]);
            o = 60;
        }
        "data"u8.CopyTo(h[o..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[(o + 4)..], dataBytes);
        stream.Write(header);

        var buf = new byte[1 << 16];
        var pos = 0;
        foreach (var s in interleaved)
        {
            if (pos + bps > buf.Length)
            {
                stream.Write(buf, 0, pos);
                pos = 0;
            }
            Encode(format, s, buf.AsSpan(pos));
            pos += bps;
        }
        stream.Write(buf, 0, pos);
    }

    private static void Encode(PcmSampleFormat format, float s, Span<byte> dst)
    {
        double x = Math.Clamp(s, -1f, 1f);
        switch (format)
        {
            case PcmSampleFormat.S16:
                BinaryPrimitives.WriteInt16LittleEndian(dst, (short)Math.Clamp(Math.Round(x * 32768.0), short.MinValue, short.MaxValue));
                break;
            case PcmSampleFormat.S24:
                var v = (int)Math.Clamp(Math.Round(x * 8388608.0), -8388608, 8388607);
                dst[0] = (byte)v;
                dst[1] = (byte)(v >> 8);
                dst[2] = (byte)(v >> 16);
                break;
            case PcmSampleFormat.S32:
                BinaryPrimitives.WriteInt32LittleEndian(dst, (int)Math.Clamp(Math.Round(x * 2147483648.0), int.MinValue, int.MaxValue));
                break;
            case PcmSampleFormat.F32:
                BinaryPrimitives.WriteSingleLittleEndian(dst, s);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }
}
