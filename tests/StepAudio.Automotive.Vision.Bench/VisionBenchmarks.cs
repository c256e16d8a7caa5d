using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Vision.Bench;

/// <summary>
/// One 1280×800 IR camera frame: read from a 4:2:0 Y4M recording, and the tiny face detector on it
/// (one ONNX Runtime thread, CPU provider) at two input sizes. The detector comes from the same cache
/// as the CLI (run <c>stepaudio models fetch</c> first).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup]; its benchmark classes cannot be sealed")]
public class VisionBenchmarks
{
    private const int Width = 1280;
    private const int Height = 800;

    private string _dir = null!;
    private Y4mFileSource _y4m = null!;
    private string _y4mPath = null!;
    private VideoFrame _frame = null!;
    private TinyFaceDetector _detector = null!;
    private readonly List<FaceBox> _faces = [];

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10));
    }

    [Params(416, 224)]
    public int InputSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("stepaudio-vision-bench-").FullName;
        _y4mPath = Path.Combine(_dir, "cam.y4m");
        var rng = new Random(3);
        using (var f = File.Create(_y4mPath))
        {
            f.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{Width} H{Height} F30:1 Ip A1:1 C420jpeg\n"));
            var plane = new byte[Width * Height * 3 / 2];
            for (var i = 0; i < 64; i++)
            {
                rng.NextBytes(plane);
                f.Write("FRAME\n"u8);
                f.Write(plane);
            }
        }
        _y4m = new Y4mFileSource(_y4mPath);
        _frame = VideoFrame.For(_y4m);
        _y4m.Read(_frame);
        _detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(ModelStore.Default()), new InferenceOptions(), InputSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector.Dispose();
        _y4m.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark]
    public void ReadY4mFrame()
    {
        if (_y4m.Read(_frame)) return;
        _y4m.Rewind();
        _y4m.Read(_frame);
    }

    [Benchmark]
    public int DetectFacesInGrayFrame()
    {
        _detector.DetectGray(_frame.Luma, Width, Height, _faces);
        return _faces.Count;
    }
}
