using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace StepAudio.Automotive.Tools.Onnx;

/// <summary>
/// Protocol-buffer wire encoding, just what ONNX needs: varints, 32-bit floats and length-delimited
/// fields (strings, bytes, nested messages, packed repeated numbers). Nested messages are written
/// into their own writer and embedded, so no length has to be known in advance.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void Int(int field, long value)
    {
        Tag(field, WireVarint);
        Varint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, WireFixed32);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLengthDelimited);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public void Message(int field, Action<ProtoWriter> write)
    {
        var nested = new ProtoWriter();
        write(nested);
        Message(field, nested);
    }

    public void PackedInts(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (var v in values) packed.Varint((ulong)v);
        Bytes(field, packed.ToArray());
    }

    public void PackedFloats(int field, IEnumerable<float> values)
    {
        var packed = new List<byte>();
        Span<byte> b = stackalloc byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            packed.AddRange(b.ToArray());
        }
        Bytes(field, packed.ToArray());
    }

    private void Tag(int field, int wire) => Varint(((ulong)field << 3) | (uint)wire);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        WriteByte((byte)value);
    }

    private void WriteByte(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }
}
