using System.Text;

namespace StepAudio.Automotive.Tests.Emotion;

/// <summary>
/// Writes a tiny ONNX model by hand (protobuf wire format): <c>probabilities = Softmax(audio · W)</c>
/// with <c>audio [1, n]</c> and <c>W [n, k]</c>, so a test can check what ONNX Runtime computes.
/// </summary>
internal static class TinyOnnxClassifier
{
    public static void Write(string path, float[,] weights, string input = "audio", string output = "probabilities")
    {
        int n = weights.GetLength(0), k = weights.GetLength(1);
        var raw = new byte[n * k * 4];
        Buffer.BlockCopy(weights, 0, raw, 0, raw.Length);

        var tensor = new Proto().Varint(1, n).Varint(1, k).Varint(2, 1).String(8, "W").Bytes(9, raw);
        var matmul = new Proto().String(1, input).String(1, "W").String(2, "logits").String(3, "matmul").String(4, "MatMul");
        var softmax = new Proto().String(1, "logits").String(2, output).String(3, "softmax").String(4, "Softmax");
        var graph = new Proto()
            .Message(1, matmul).Message(1, softmax)
            .String(2, "tiny_emotion")
            .Message(5, tensor)
            .Message(11, ValueInfo(input, 1, n))
            .Message(12, ValueInfo(output, 1, k));
        var model = new Proto()
            .Varint(1, 8)
            .String(2, "stepaudio-tests")
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Varint(2, 13));
        File.WriteAllBytes(path, model.ToArray());
    }

    private static Proto ValueInfo(string name, params long[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims) shape.Message(1, new Proto().Varint(1, d));
        var tensorType = new Proto().Varint(1, 1).Message(2, shape);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType));
    }

    private sealed class Proto
    {
        private readonly List<byte> _s = [];

        public Proto Varint(int field, long value)
        {
            Key(field, 0);
            Raw((ulong)value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _s.AddRange(value);
            return this;
        }

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => [.. _s];

        private void Key(int field, int wire) => Raw((ulong)((field << 3) | wire));

        private void Raw(ulong v)
        {
            while (v >= 0x80)
            {
                _s.Add((byte)(v | 0x80));
                v >>= 7;
            }
            _s.Add((byte)v);
        }
    }
}
