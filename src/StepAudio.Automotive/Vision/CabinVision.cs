using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Vision;

/// <summary>Settings of the per-seat vision stage.</summary>
public sealed record VisionOptions
{
    /// <summary>Detector input side (a multiple of 32): 224 suits seat regions of a few hundred pixels.</summary>
    public int DetectorInputSize { get; init; } = 224;

    public double DetectorScoreThreshold { get; init; } = 0.4;

    /// <summary>Frames between detector runs while a face is tracked (1 = detect every frame).</summary>
    public int RedetectFrames { get; init; } = 15;

    /// <summary>Seconds of lip motion per visual speech decision.</summary>
    public double SpeechWindow { get; init; } = 0.4;

    /// <summary>Mouth crops kept per seat for a lip-reading encoder (0 = keep none).</summary>
    public int MouthCropFrames { get; init; } = 29;

    public int MouthCropSize { get; init; } = 88;

    /// <summary>
    /// Each seat is looked at every this many frames, the seats staggered so each frame carries an even share
    /// (2: a 30 fps camera gives every seat 15 fps, plenty for lips that move at 3–6 syllables a second).
    /// </summary>
    public int SeatEvery { get; init; } = 2;

    /// <summary>Run the expression net every this many looks at a seat (0 = never).</summary>
    public int ExpressionEvery { get; init; } = 10;

    /// <summary>
    /// The face nets' precision. <c>Fp32</c> by default: the INT8 QDQ nets that <c>models fetch</c> makes are
    /// faster on the CPU provider and within the targets, but at the landmark bound on the 640×480 camera, with more
    /// short false visual-speech starts on silent seats (README, INT8 face nets); <c>Int8</c> runs them, falling
    /// back to FP32 with a warning where they are missing.
    /// </summary>
    public ModelPrecision Precision { get; init; } = ModelPrecision.Fp32;
}

/// <summary>What the camera says about one seat after the latest frame.</summary>
public sealed class SeatVision
{
    internal SeatVision(SeatRegion region, VisionOptions options)
    {
        Region = region;
        Speech = new VisualSpeechDetector(options.SpeechWindow);
        MouthCrops = options.MouthCropFrames > 0 ? new MouthCropSequence(options.MouthCropFrames, options.MouthCropSize) : null;
    }

    public SeatRegion Region { get; }

    public string Zone => Region.Zone;

    public bool FaceFound { get; internal set; }

    /// <summary>Whether the face detector ran for this seat this frame (else the face was tracked by its landmarks).</summary>
    public bool DetectorRan { get; internal set; }

    /// <summary>Whether the detector found the seat's face this frame (a miss while tracking keeps the track for a few runs).</summary>
    public bool Detected { get; internal set; }

    public FaceBox Face { get; internal set; }

    public FaceLandmarks Landmarks { get; } = new();

    public LipFeatures Lips { get; internal set; }

    public VisualSpeechDetector Speech { get; }

    public MouthCropSequence? MouthCrops { get; }

    /// <summary>Smoothed expression probabilities in <see cref="ExpressionClassifier.Labels"/> order (all zero until measured).</summary>
    public float[] Expressions { get; } = new float[7];

    /// <summary>Whether the seat was looked at this frame (see <see cref="VisionOptions.SeatEvery"/>); its state is otherwise the last look's.</summary>
    public bool Updated { get; internal set; }

    /// <summary>Whether <see cref="Expressions"/> took a new measurement this frame.</summary>
    public bool ExpressionsUpdated { get; internal set; }

    internal LipFeatureExtractor LipExtractor { get; } = new();
    internal SeatFaceTracker? Tracker { get; set; }
    internal int FramesSinceExpression { get; set; }
    internal bool HasExpressions { get; set; }
}

/// <summary>
/// The vision stage per frame: for each seat the camera sees (the profile's <c>camera.zones</c>), track the
/// face, place 68 landmarks, measure the lips, update visual speech activity, keep the mouth crops and, now
/// and then, the expressions. Runs single-threaded on the frames' stream time; allocates nothing per frame.
/// </summary>
public sealed class CabinVision : IDisposable
{
    private readonly TinyFaceDetector _detector;
    private readonly FaceLandmarker _landmarker;
    private readonly ExpressionClassifier? _expressions;
    private readonly float[] _probabilities = new float[7];
    private readonly VisionOptions _options;
    private long _frames;

    public CabinVision(CabinCamera camera, TinyFaceDetector detector, FaceLandmarker landmarker, ExpressionClassifier? expressions = null, VisionOptions? options = null)
    {
        _options = options ?? new VisionOptions();
        Camera = camera;
        _detector = detector;
        _landmarker = landmarker;
        _expressions = expressions;
        Seats = [.. camera.Seats.Select(r => new SeatVision(r, _options) { Tracker = new SeatFaceTracker(r, detector, landmarker, _options.RedetectFrames, _options.DetectorScoreThreshold, camera.Seats) })];
    }

    /// <summary>
    /// Loads the three converted face-api nets from the model store at <see cref="VisionOptions.Precision"/>
    /// (INT8: the versions quantized at <c>models fetch</c>, FP32 with a warning where those are missing).
    /// </summary>
    public static CabinVision Load(CabinCamera camera, ModelStore store, InferenceOptions inference, VisionOptions? options = null, ILogger? logger = null)
    {
        options ??= new VisionOptions();
        var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store, options.Precision, logger), inference, options.DetectorInputSize);
        var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store, options.Precision, logger), inference);
        var expressions = options.ExpressionEvery > 0 ? new ExpressionClassifier(ExpressionClassifier.RequireModel(store, options.Precision, logger), inference) : null;
        return new CabinVision(camera, detector, landmarker, expressions, options);
    }

    public CabinCamera Camera { get; }

    public IReadOnlyList<SeatVision> Seats { get; }

    /// <summary>Processes one frame at stream time <paramref name="time"/>.</summary>
    public void Process(VideoFrame frame, double time)
    {
        if (frame.Width != Camera.Width || frame.Height != Camera.Height)
            throw new ArgumentException($"frame {frame.Width}x{frame.Height} differs from the profile's camera {Camera.Width}x{Camera.Height}", nameof(frame));
        var every = Math.Max(1, _options.SeatEvery);
        for (var s = 0; s < Seats.Count; s++)
        {
            var seat = Seats[s];
            seat.Updated = (_frames + s) % every == 0;
            seat.ExpressionsUpdated = false;
            if (!seat.Updated) continue;
            seat.FaceFound = seat.Tracker!.Track(frame, seat.Landmarks);
            seat.DetectorRan = seat.Tracker.DetectorRan;
            seat.Detected = seat.Tracker.Detected;
            if (!seat.FaceFound)
            {
                seat.LipExtractor.Reset();
                seat.Speech.Add(time, null);
                seat.MouthCrops?.Repeat();
                continue;
            }
            seat.Face = seat.Tracker.Box;
            seat.Lips = seat.LipExtractor.Measure(seat.Landmarks);
            seat.Speech.Add(time, seat.Lips);
            seat.MouthCrops?.Add(frame.Luma, frame.Width, frame.Height, seat.Landmarks);
            if (_expressions is not null && ++seat.FramesSinceExpression >= _options.ExpressionEvery)
            {
                seat.FramesSinceExpression = 0;
                if (_expressions.Classify(frame.Luma, frame.Width, frame.Height, 1, seat.Landmarks.AlignedBox(1), _probabilities))
                {
                    // Exponential smoothing over about three measurements.
                    var a = seat.HasExpressions ? 0.3f : 1f;
                    for (var k = 0; k < _probabilities.Length; k++) seat.Expressions[k] += a * (_probabilities[k] - seat.Expressions[k]);
                    seat.HasExpressions = true;
                    seat.ExpressionsUpdated = true;
                }
            }
        }
        _frames++;
    }

    /// <summary>Forget all tracks and windows (the camera was lost and came back).</summary>
    public void Reset()
    {
        foreach (var seat in Seats)
        {
            seat.Tracker!.Reset();
            seat.LipExtractor.Reset();
            seat.Speech.Reset();
            seat.FaceFound = false;
            seat.HasExpressions = false;
            seat.ExpressionsUpdated = false;
        }
    }

    public void Dispose()
    {
        _detector.Dispose();
        _landmarker.Dispose();
        _expressions?.Dispose();
    }
}
