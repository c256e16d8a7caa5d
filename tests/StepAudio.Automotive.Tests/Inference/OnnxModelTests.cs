using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Tests.Inference;

public class OnnxModelTests
{
    private static readonly Dictionary<string, long[]> MelShapes = new()
    {
        ["input"] = [1, 1760],
        ["output"] = [1, 1, 8, 32],
    };

    private static void Tone(Span<float> x, double hz)
    {
        for (var i = 0; i < x.Length; i++) x[i] = (float)(8000 * Math.Sin(2 * Math.PI * hz * i / 16000));
    }

    [Fact]
    public void CpuChainRunsARealModelInPlace()
    {
        using var mel = new OnnxModel(TestModels.Melspectrogram, new InferenceOptions(), MelShapes);
        Assert.Equal(InferenceOptions.Cpu, mel.ExecutionProvider);
        Assert.Empty(mel.FallbackReasons);
        {
            var input = mel.Input("input").Floats;
            var output = mel.Output("output").Floats;
            mel.Run();
            var silent = output.ToArray();
            Tone(input, 1000);
            mel.Run();
            // A loud tone raises the mel energy well above silence in the band that holds 1 kHz.
            var frame = output[..32].ToArray();
            var band = Array.IndexOf(frame, frame.Max());
            Assert.InRange(band, 4, 20);
            Assert.True(output[band] > silent[band] + 3, $"tone {output[band]} vs silence {silent[band]}");
            Assert.All(output.ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void TensorRtFirstChainFallsBackToCpuWithTheReason()
    {
        var options = new InferenceOptions
        {
            Providers = [InferenceOptions.TensorRt, InferenceOptions.Cuda, InferenceOptions.Cpu],
            TensorRtSettings = { EnableInt8 = true, EngineCachePath = "/tmp/trt", DlaCore = 0 },
        };
        using var model = new OnnxModel(TestModels.Melspectrogram, options, MelShapes);
        Assert.Equal(InferenceOptions.Cpu, model.ExecutionProvider);
        Assert.Equal(2, model.FallbackReasons.Count);
        Assert.StartsWith("tensorrt: TensorrtExecutionProvider is not in this ONNX Runtime build", model.FallbackReasons[0], StringComparison.Ordinal);
        Assert.StartsWith("cuda: CUDAExecutionProvider", model.FallbackReasons[1], StringComparison.Ordinal);
        model.Run();
    }

    [Fact]
    public void TensorRtSettingsUseTheProviderOptionNames()
    {
        var s = OnnxModel.TensorRtSettings(new InferenceOptions
        {
            TensorRtSettings = { EnableInt8 = true, EnableFp16 = true, EngineCachePath = "/var/cache/stepaudio/trt", TimingCachePath = "/var/cache/stepaudio/timing", DlaCore = 1, MaxWorkspaceSize = 1 << 28 },
        });
        Assert.Equal("1", s["trt_int8_enable"]);
        Assert.Equal("1", s["trt_engine_cache_enable"]);
        Assert.Equal("/var/cache/stepaudio/trt", s["trt_engine_cache_path"]);
        Assert.Equal("/var/cache/stepaudio/timing", s["trt_timing_cache_path"]);
        Assert.Equal("1", s["trt_dla_enable"]);
        Assert.Equal("1", s["trt_dla_core"]);
        Assert.Equal("268435456", s["trt_max_workspace_size"]);
    }

    [Fact]
    public void DynamicShapeWithoutAGivenShapeIsAClearError()
    {
        var e = Assert.Throws<InvalidInputException>(() => new OnnxModel(TestModels.Melspectrogram, new InferenceOptions()));
        Assert.Contains("'input' has dynamic shape", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingModelFileIsNamed()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "nope.onnx");
        var e = Assert.Throws<InvalidInputException>(() => new OnnxModel(path, new InferenceOptions()));
        Assert.Equal(path, e.Source);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptModelFileIsNamed()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "corrupt.onnx");
        var bytes = File.ReadAllBytes(TestModels.Melspectrogram);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        var e = Assert.Throws<InvalidInputException>(() => new OnnxModel(path, new InferenceOptions()));
        Assert.Equal(path, e.Source);
        Assert.Contains("not a loadable ONNX model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProviderAndWrongShapeAreClearErrors()
    {
        Assert.Contains("unknown execution provider 'npu'", Assert.Throws<InvalidInputException>(
            () => new OnnxModel(TestModels.Melspectrogram, new InferenceOptions { Providers = ["npu"] })).Message, StringComparison.Ordinal);
        var e = Assert.Throws<InvalidInputException>(() => new OnnxModel(TestModels.Embedding, new InferenceOptions(), new Dictionary<string, long[]> { ["input_1"] = [1, 80, 32, 1] }));
        Assert.Contains("dimension 1 is 76", e.Message, StringComparison.Ordinal);
    }
}
