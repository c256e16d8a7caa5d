using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Vision.Bench;

/// <summary>
/// The whole per-seat vision stage on one 1280×800 frame of a generated talking cabin (four occupants, all
/// four tracked — checked at setup — two of them talking; sedan-console-circular's seat regions) with the service's settings: each seat looked at every other
/// frame (staggered), a detector run every 15 looks per seat, 68 landmarks, lip features, visual speech,
/// mouth crops and the expression net every 10 looks — the average per frame, so × 30 is the share of one
/// core at 30 fps. <see cref="FourSeatFrameEveryFrame"/> looks at every seat on every frame, as before. Also the landmark and expression nets
/// alone on one face. FP32 and the INT8 QDQ nets (<see cref="Precision"/>), one ONNX Runtime thread, CPU provider;
/// models from <c>stepaudio models fetch</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup]; its benchmark classes cannot be sealed")]
public class CabinVisionBenchmarks
{
    private const int Frames = 60;

    private string _dir = null!;
    private VideoFrame[] _frames = null!;
    private CabinVision _vision = null!;
    private CabinVision _everyFrame = null!;
    private FaceLandmarker _landmarker = null!;
    private ExpressionClassifier _expressions = null!;
    private readonly FaceLandmarks _landmarks = new();
    private readonly float[] _probabilities = new float[7];
    private FaceBox _driver;
    private int _next;
    private int _nextEvery;

    [Params(ModelPrecision.Fp32, ModelPrecision.Int8)]
    public ModelPrecision Precision { get; set; }

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10));
    }

    [GlobalSetup]
    public void Setup()
    {
        var repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "StepAudio.Automotive.sln"))) repo = Path.GetDirectoryName(repo)!;
        var camera = CabinProfileReader.Load(Path.Combine(repo, "deploy", "cabins", "sedan-console-circular.json")).Camera!;
        var store = ModelStore.Default();
        var cpu = new InferenceOptions { Providers = [InferenceOptions.Cpu] };
        _dir = Directory.CreateTempSubdirectory("stepaudio-cabin-vision-bench-").FullName;
        var video = Path.Combine(_dir, "cam.y4m");
        using (var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), cpu))
        using (var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store), cpu))
        {
            var seats = CabinVideoGenerator.Seats(camera, CabinVideoGenerator.DemoFaces(store, detector, landmarker), ["driver", "rear-right"], Frames / 30.0, seed: 1);
            new CabinVideoGenerator(camera, seats).Write(video, Path.Combine(_dir, "cam.truth.json"), Frames / 30.0);
        }
        using var source = new Y4mFileSource(video);
        _frames = [.. Enumerable.Range(0, Frames).Select(_ => VideoFrame.For(source))];
        foreach (var f in _frames) source.Read(f);
        if (Precision == ModelPrecision.Int8 && !File.Exists(FaceLandmarker.Int8Path(store)))
            throw new InvalidOperationException($"{FaceLandmarker.Int8Path(store)} is missing: run `stepaudio models fetch`");
        _vision = CabinVision.Load(camera, store, cpu, new VisionOptions { Precision = Precision });
        _everyFrame = CabinVision.Load(camera, store, cpu, new VisionOptions { SeatEvery = 1, Precision = Precision });
        for (var i = 0; i < Frames; i++)
        {
            // Tracks established.
            _vision.Process(_frames[i], i / 30.0);
            _everyFrame.Process(_frames[i], i / 30.0);
        }
        // Every seat occupied and tracked, so the stage does the full four-seat work.
        foreach (var seat in _everyFrame.Seats)
            if (!seat.FaceFound) throw new InvalidOperationException($"no face tracked in {seat.Region.Zone}: the bench needs all four seats occupied");
        _driver = _vision.Seats[0].Face;
        _landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store, Precision), cpu);
        _expressions = new ExpressionClassifier(ExpressionClassifier.RequireModel(store, Precision), cpu);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _vision.Dispose();
        _everyFrame.Dispose();
        _landmarker.Dispose();
        _expressions.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>One frame, four seats (the frames loop; stream time keeps rising).</summary>
    [Benchmark]
    public void FourSeatFrame()
    {
        var f = _frames[_next % Frames];
        _vision.Process(f, (Frames + _next) / 30.0);
        _next++;
    }

    /// <summary>The same with every seat on every frame (SeatEvery 1).</summary>
    [Benchmark]
    public void FourSeatFrameEveryFrame()
    {
        var f = _frames[_nextEvery % Frames];
        _everyFrame.Process(f, (Frames + _nextEvery) / 30.0);
        _nextEvery++;
    }

    [Benchmark]
    public bool LandmarksOneFace() => _landmarker.Locate(_frames[0].Luma, _frames[0].Width, _frames[0].Height, 1, _driver, _landmarks);

    [Benchmark]
    public bool ExpressionsOneFace() => _expressions.Classify(_frames[0].Luma, _frames[0].Width, _frames[0].Height, 1, _driver, _probabilities);
}
