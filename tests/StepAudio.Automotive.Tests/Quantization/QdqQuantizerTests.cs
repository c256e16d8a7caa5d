using Microsoft.ML.OnnxRuntime;
using Onnx;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tests.Speech;
using StepAudio.Automotive.Tools.Onnx;
using StepAudio.Automotive.Tools.Quantization;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Quantization;

/// <summary>The openWakeWord embedding model and the hey_jarvis head quantized once, as `models fetch` does, for all tests here.</summary>
public sealed class QuantizedSpeechModels : IDisposable
{
    public QuantizedSpeechModels()
    {
        Directory = TestPaths.NewTempDir();
        Embedding = Path.Combine(Directory, "embedding_model.int8.onnx");
        Head = Path.Combine(Directory, "hey_jarvis.int8.onnx");
        var demo = Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav");
        SpeechModelQuantization.Quantize(TestModels.Embedding, [demo], Embedding, TestModels.Store, SpeechModelQuantization.EmbeddingSettings);
        SpeechModelQuantization.Quantize(TestModels.HeyJarvis, [demo], Head, TestModels.Store);
    }

    public string Directory { get; }

    public string Embedding { get; }

    public string Head { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

public class QdqQuantizerTests(QuantizedSpeechModels models, ITestOutputHelper output) : IClassFixture<QuantizedSpeechModels>
{
    [Fact]
    public void QuantizedModelsLoadWithTheSameInputsAndOutputs()
    {
        foreach (var (fp32, int8) in new[] { (TestModels.Embedding, models.Embedding), (TestModels.HeyJarvis, models.Head) })
        {
            using var a = new InferenceSession(fp32);
            using var b = new InferenceSession(int8);
            Assert.Equal(Signature(a.InputMetadata), Signature(b.InputMetadata));
            Assert.Equal(Signature(a.OutputMetadata), Signature(b.OutputMetadata));
        }
        // And through the project's own wrapper, as the speech stage binds it.
        using var embedder = new SpeechEmbedder(models.Embedding, new InferenceOptions());
        Assert.Equal(SpeechEmbedder.Size, embedder.Latest(1).Length);

        static string[] Signature(IReadOnlyDictionary<string, NodeMetadata> m) =>
            [.. m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value.ElementDataType}[{string.Join(",", p.Value.Dimensions)}]")];
    }

    [Fact]
    public void ConvolutionsAreSymmetricInt8QdqWithPerChannelWeightScales()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(models.Embedding));
        var graph = model.Graph;
        var init = graph.Initializer.ToDictionary(t => t.Name);
        var producer = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var qdq = graph.Node.Where(n => n.OpType is "QuantizeLinear" or "DequantizeLinear").ToList();
        Assert.Contains(qdq, n => n.OpType == "QuantizeLinear");
        Assert.Contains(qdq, n => n.OpType == "DequantizeLinear");
        // Zero point 0 everywhere (TensorRT's explicit quantization needs symmetric scales).
        foreach (var n in qdq)
        {
            var zp = init[n.Input[2]];
            Assert.True(zp.DataType is (int)TensorProto.Types.DataType.Int8 or (int)TensorProto.Types.DataType.Int32, $"{n.Name}: zero point type {zp.DataType}");
            Assert.All(zp.RawData.ToByteArray(), b => Assert.Equal(0, b));
        }
        var convs = graph.Node.Where(n => n.OpType == "Conv").ToList();
        var quantized = convs.Where(c => producer.TryGetValue(c.Input[1], out var p) && p.OpType == "DequantizeLinear").ToList();
        Assert.True(quantized.Count >= convs.Count - SpeechModelQuantization.EmbeddingSettings.KeepFloat!.Count, $"{quantized.Count} of {convs.Count} Conv nodes quantized");
        foreach (var conv in quantized)
        {
            var dq = producer[conv.Input[1]];
            var weight = init[dq.Input[0]];
            var scales = init[dq.Input[1]];
            Assert.Equal((int)TensorProto.Types.DataType.Int8, weight.DataType);
            Assert.Equal(0, dq.Attribute.Single(a => a.Name == "axis").I);
            Assert.Equal(weight.Dims[0], Assert.Single(scales.Dims)); // one scale per output channel
            Assert.True(QdqQuantizer.Floats(scales).Distinct().Count() > 1, $"{conv.Name}: per-channel scales are all equal");
            Assert.Equal("DequantizeLinear", producer[conv.Input[0]].OpType);
            Assert.Contains(graph.Node, n => n.OpType == "QuantizeLinear" && n.Input[0] == conv.Output[0]);
        }
    }

    [Fact]
    public void OnnxRuntimeFusesTheQdqNodesIntoInt8Kernels()
    {
        var embedding = OptimizedGraph.Ops(models.Embedding, output);
        Assert.True(embedding.GetValueOrDefault("QLinearConv") >= 15, "the CPU provider did not fuse DQ → Conv → Q into QLinearConv");
        Assert.True(embedding.GetValueOrDefault("Conv") <= SpeechModelQuantization.EmbeddingSettings.KeepFloat!.Count);
        // The head's Gemm outputs feed a LayerNorm (two readers): no Q there, so each still fuses.
        var head = OptimizedGraph.Ops(models.Head, output);
        Assert.Equal(3, head.GetValueOrDefault("QGemm"));
        Assert.False(head.ContainsKey("Gemm"));
    }

    [Fact]
    public void Int8EmbeddingsAndHeadScoresStayCloseToFp32OnHeldOutSpeech()
    {
        // Not the demo recording that calibrated: TTS the calibration never heard, over a microphone's low noise floor.
        float[][] clips =
        [
            TestSpeech.Concat(TestSpeech.Silence(0.5), TestSpeech.Espeak("hey jarvis", "en-gb"), TestSpeech.Silence(1.0)),
            TestSpeech.Concat(TestSpeech.Silence(0.5), TestSpeech.Flite("hey jarvis", "kal"), TestSpeech.Silence(1.0)),
            TestSpeech.Concat(TestSpeech.Silence(0.5), TestSpeech.Espeak("turn on the air conditioning", "en-us+f3"), TestSpeech.Silence(1.0)),
        ];
        clips = [.. clips.Select((c, i) => TestSpeech.WithNoise(c, 0.002, seed: i))];
        var options = new InferenceOptions();
        using var mel = new MelSpectrogram(TestModels.Melspectrogram, options);
        using var a = new SpeechEmbedder(TestModels.Embedding, options, historyLength: 16);
        using var b = new SpeechEmbedder(models.Embedding, options, historyLength: 16);
        using var headA = new WakeWordDetector(TestModels.HeyJarvis, a, new WakeWordOptions(), options);
        using var headB = new WakeWordDetector(models.Head, b, new WakeWordOptions(), options);
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        var cosines = new List<double>();
        var scoreGaps = new List<double>();
        var peaks = new List<(double Fp32, double Int8)>();
        long step = 0;
        foreach (var clip in clips)
        {
            mel.Reset();
            a.Reset();
            b.Reset();
            headA.Reset();
            headB.Reset();
            var peak = (Fp32: 0.0, Int8: 0.0);
            for (var at = 0; at + MelSpectrogram.StepSamples <= clip.Length; at += MelSpectrogram.StepSamples, step++)
            {
                mel.Step(clip.AsSpan(at, MelSpectrogram.StepSamples), frames);
                a.Step(frames);
                b.Step(frames);
                headA.Step(step);
                headB.Step(step);
                cosines.Add(Cosine(a.Latest(1), b.Latest(1)));
                scoreGaps.Add(Math.Abs(headA.Score - headB.Score));
                peak = (Math.Max(peak.Fp32, headA.Score), Math.Max(peak.Int8, headB.Score));
            }
            peaks.Add(peak);
        }
        output.WriteLine($"cosine mean {cosines.Average():F4} min {cosines.Min():F4}; head score gap mean {scoreGaps.Average():F4} max {scoreGaps.Max():F4}; peaks {string.Join(" ", peaks.Select(p => $"{p.Fp32:F3}/{p.Int8:F3}"))}");
        Assert.True(cosines.Average() >= 0.99, $"mean cosine {cosines.Average():F4}");
        Assert.True(cosines.Min() >= 0.97, $"min cosine {cosines.Min():F4}");
        Assert.True(scoreGaps.Average() <= 0.01, $"mean head score gap {scoreGaps.Average():F4}");
        // Same decisions at the default threshold: both keywords fire, the command does not.
        Assert.All(peaks, p => Assert.Equal(p.Fp32 >= 0.5, p.Int8 >= 0.5));
    }

    [Fact]
    public void AConvAndGemmModelQuantizesCloseToFloatOnItsOwnCalibration()
    {
        // A small model of the shapes the quantizer handles, built by the project's ONNX writer.
        var rng = new Random(3);
        float[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)(scale * ((2 * rng.NextDouble()) - 1)))];
        var g = new OnnxGraph("conv_gemm");
        var x = g.Input("x", 1, 2, 8, 8);
        x = g.Node("Conv", [x, g.Initializer("w1", [4, 2, 3, 3], Values(72, 0.5)), g.Initializer("b1", [4], Values(4, 0.1))], attributes: [("kernel_shape", new long[] { 3, 3 })]);
        x = g.Node("Relu", [x]);
        x = g.Node("Flatten", [x]);
        g.Node("Gemm", [x, g.Initializer("w2", [3, 144], Values(432, 0.2)), g.Initializer("b2", [3], Values(3, 0.1))], "y", [("transB", 1L)]);
        g.Output("y", 1, 3);
        var path = Path.Combine(models.Directory, "conv_gemm.onnx");
        g.Save(path);

        var samples = Enumerable.Range(0, 64).Select(_ => new CalibrationSample([new CalibrationTensor("x", Values(128, 1), [1, 2, 8, 8])])).ToList();
        var model = QdqQuantizer.Load(path);
        var tensors = QdqQuantizer.ActivationsToCalibrate(model);
        Assert.Equal(4, tensors.Count); // Conv in/out, Gemm in/out
        var quantized = QdqQuantizer.Quantize(model, ActivationCalibrator.Ranges(model, tensors, samples, path), path);
        var qpath = Path.Combine(models.Directory, "conv_gemm.int8.onnx");
        QdqQuantizer.Save(quantized, qpath);

        using var a = new InferenceSession(path);
        using var b = new InferenceSession(qpath);
        double err = 0, norm = 0;
        foreach (var s in samples.Take(16))
        {
            using var input = OrtValue.CreateTensorValueFromMemory(s.Inputs[0].Data, s.Inputs[0].Shape);
            using var ya = a.Run(new RunOptions(), ["x"], [input], ["y"]);
            using var yb = b.Run(new RunOptions(), ["x"], [input], ["y"]);
            var p = ya[0].GetTensorDataAsSpan<float>();
            var q = yb[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < p.Length; i++)
            {
                err += (p[i] - q[i]) * (p[i] - q[i]);
                norm += p[i] * p[i];
            }
        }
        var relative = Math.Sqrt(err / norm);
        output.WriteLine($"relative RMS error {relative:P2}");
        Assert.True(relative < 0.03, $"relative RMS error {relative:P2}");
    }

    [Fact]
    public void AnAlwaysZeroActivationKeepsTheNextConvolutionsBias()
    {
        // As in the landmark net (a dead depthwise filter): a convolution reads zeros only, so its output is its bias.
        // The bias is int32 at input scale × weight scale; an input scale of 1 rounded it to whole weight steps.
        var rng = new Random(5);
        float[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)(scale * ((2 * rng.NextDouble()) - 1)))];
        var g = new OnnxGraph("dead_filter");
        var x = g.Input("x", 1, 2, 4, 4);
        x = g.Node("Conv", [x, g.Initializer("w1", [2, 2, 1, 1], new float[4])], attributes: [("kernel_shape", new long[] { 1, 1 })]);
        var bias = Values(4, 0.3);
        g.Node("Conv", [x, g.Initializer("w2", [4, 2, 1, 1], Values(8, 4)), g.Initializer("b2", [4], bias)], "y", [("kernel_shape", new long[] { 1, 1 })]);
        g.Output("y", 1, 4, 4, 4);
        var path = Path.Combine(models.Directory, "dead_filter.onnx");
        g.Save(path);
        var samples = Enumerable.Range(0, 8).Select(_ => new CalibrationSample([new CalibrationTensor("x", Values(32, 1), [1, 2, 4, 4])])).ToList();
        foreach (var uint8 in new[] { false, true })
        {
            var qpath = Path.Combine(models.Directory, $"dead_filter.{uint8}.int8.onnx");
            QdqQuantizer.QuantizeFile(path, samples, qpath, new QuantizationSettings(Uint8Activations: uint8));
            using var session = new InferenceSession(qpath);
            using var input = OrtValue.CreateTensorValueFromMemory(samples[0].Inputs[0].Data, samples[0].Inputs[0].Shape);
            using var y = session.Run(new RunOptions(), ["x"], [input], ["y"]);
            var values = y[0].GetTensorDataAsSpan<float>();
            for (var c = 0; c < 4; c++)
                Assert.True(Math.Abs(values[c * 16] - bias[c]) < 0.01, $"uint8 {uint8}: channel {c} is {values[c * 16]}, its bias {bias[c]}");
        }
    }

    [Fact]
    public void Uint8ActivationsQuantizeAfterTheReluAndOnnxRuntimeFusesTheWholeChain()
    {
        var rng = new Random(4);
        float[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)(scale * ((2 * rng.NextDouble()) - 1)))];
        // conv → relu, read by a second conv and by the sum of both: the shape of a dense block.
        var g = new OnnxGraph("dense");
        var x = g.Input("x", 1, 4, 8, 8);
        var a = g.Node("Relu", [g.Node("Conv", [x, g.Initializer("w1", [4, 4, 1, 1], Values(16, 0.5)), g.Initializer("b1", [4], Values(4, 0.1))], attributes: [("kernel_shape", new long[] { 1, 1 })])]);
        var b = g.Node("Conv", [a, g.Initializer("w2", [4, 4, 1, 1], Values(16, 0.5)), g.Initializer("b2", [4], Values(4, 0.1))], attributes: [("kernel_shape", new long[] { 1, 1 })]);
        var s = g.Node("Relu", [g.Node("Add", [a, b])]);
        g.Node("Conv", [s, g.Initializer("w3", [4, 4, 1, 1], Values(16, 0.5)), g.Initializer("b3", [4], Values(4, 0.1))], "y", [("kernel_shape", new long[] { 1, 1 })]);
        g.Output("y", 1, 4, 8, 8);
        var path = Path.Combine(models.Directory, "dense.onnx");
        g.Save(path);
        var samples = Enumerable.Range(0, 32).Select(_ => new CalibrationSample([new CalibrationTensor("x", Values(256, 1), [1, 4, 8, 8])])).ToList();
        var settings = new QuantizationSettings(Uint8Activations: true, QuantizeAdds: true);
        // x, a and s (after their ReLUs), b; not y, a graph output
        Assert.Equal(new[] { "x", a, b, s }.Order(StringComparer.Ordinal), QdqQuantizer.ActivationsToCalibrate(QdqQuantizer.Load(path), settings).Order(StringComparer.Ordinal));
        var qpath = Path.Combine(models.Directory, "dense.int8.onnx");
        QdqQuantizer.QuantizeFile(path, samples, qpath, settings);

        var ops = OptimizedGraph.Ops(qpath, output);
        Assert.Equal(2, ops.GetValueOrDefault("QLinearConv")); // the last one writes the float graph output
        Assert.Equal(1, ops.GetValueOrDefault("QLinearAdd"));
        Assert.False(ops.ContainsKey("Relu"), "a ReLU before a uint8 Q with zero point 0 was not folded");

        using var fp = new InferenceSession(path);
        using var q = new InferenceSession(qpath);
        double err = 0, norm = 0;
        foreach (var sample in samples.Take(8))
        {
            using var input = OrtValue.CreateTensorValueFromMemory(sample.Inputs[0].Data, sample.Inputs[0].Shape);
            using var ya = fp.Run(new RunOptions(), ["x"], [input], ["y"]);
            using var yb = q.Run(new RunOptions(), ["x"], [input], ["y"]);
            var p = ya[0].GetTensorDataAsSpan<float>();
            var r = yb[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < p.Length; i++)
            {
                err += (p[i] - r[i]) * (p[i] - r[i]);
                norm += p[i] * p[i];
            }
        }
        output.WriteLine($"relative RMS error {Math.Sqrt(err / norm):P2}");
        Assert.True(Math.Sqrt(err / norm) < 0.03, $"relative RMS error {Math.Sqrt(err / norm):P2}");
    }

    [Fact]
    public void ACorruptModelIsAnErrorNamingTheFile()
    {
        var bad = Path.Combine(models.Directory, "corrupt.onnx");
        File.WriteAllBytes(bad, [0x08, 0x07, 0x12, 0xff, 0xff, 0xff, 0x42, 0x13, 0x37]);
        var e = Assert.Throws<InvalidInputException>(() => QdqQuantizer.Load(bad));
        Assert.Equal(bad, e.Source);
        Assert.Contains("not an ONNX model", e.Message, StringComparison.Ordinal);

        var missing = Path.Combine(models.Directory, "missing.onnx");
        Assert.Equal(missing, Assert.Throws<InvalidInputException>(() => QdqQuantizer.Load(missing)).Source);
    }

    [Fact]
    public void AModelWithoutSpeechCalibrationDataIsAnErrorNamingTheFile()
    {
        // The mel front end has no 76×32 mel-window or N×96 embedding input: nothing to calibrate it with.
        var e = Assert.Throws<InvalidInputException>(() =>
            SpeechModelQuantization.Quantize(TestModels.Melspectrogram, [Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav")], Path.Combine(models.Directory, "mel.int8.onnx"), TestModels.Store));
        Assert.Equal(TestModels.Melspectrogram, e.Source);
        output.WriteLine(e.Message);
    }

    [Fact]
    public async Task TheCliReportsABadModelWithExitCode2()
    {
        var bad = Path.Combine(models.Directory, "bad-cli.onnx");
        await File.WriteAllTextAsync(bad, "this is not protobuf");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(
            ["models", "quantize", "--model", bad, "--calibration", Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav"), "--out", Path.Combine(models.Directory, "never.onnx")], stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(bad, stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(models.Directory, "never.onnx")));
    }

    private static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double d = 0, nx = 0, ny = 0;
        for (var i = 0; i < x.Length; i++)
        {
            d += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        return d / Math.Sqrt(nx * ny);
    }
}
