using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>Calibration inputs for the three face nets, each as its wrapper pre-processed it.</summary>
public sealed record VisionCalibrationSamples(IReadOnlyList<CalibrationSample> Detector, IReadOnlyList<CalibrationSample> Landmarks, IReadOnlyList<CalibrationSample> Expressions);

/// <summary>
/// Calibration inputs for the face nets made the way the vision stage makes them: a generated cabin camera
/// recording (<see cref="CabinVideoGenerator"/>: the demo photos' faces in every seat region of a cabin
/// profile's camera, two of them talking, IR look with exposure drift and noise, fixed seed) run through the
/// stage's own FP32 seat trackers — the detector on each seat region at the stage's input size, the landmark
/// net on each tracked face, the expression net on each face's aligned box. And face-api's demo photos
/// themselves, in RGB and gray, as face-api runs them (detector at 416, each face's landmarks and
/// expressions): the generated frames have an IR camera's low contrast, and ranges from them alone clip
/// a full-contrast image. Deterministic: the same photos, seed and models give the same samples.
/// </summary>
public static class VisionCalibrationData
{
    /// <summary>Frames of each generated recording (30 fps).</summary>
    public const int Frames = 90;

    /// <summary>The seats are looked at every this many frames; the detector runs on every third look (its input is 4× a face crop's).</summary>
    private const int LookEvery = 2;

    private const int DetectEvery = 3;

    /// <summary>Samples from generated recordings of <paramref name="cameras"/>' geometries, each with its own seed.</summary>
    public static VisionCalibrationSamples For(ModelStore store, IReadOnlyList<CabinCamera> cameras, int detectorInputSize, int seed = 101)
    {
        if (cameras.Count == 0) throw new InvalidInputException("cameras", "no camera geometry to generate calibration video for");
        var cpu = new InferenceOptions { Providers = [InferenceOptions.Cpu], Precision = ModelPrecision.Fp32 };
        using var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), cpu, detectorInputSize);
        using var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store), cpu);
        using var expressions = new ExpressionClassifier(ExpressionClassifier.RequireModel(store), cpu);
        var detectorSamples = new List<CalibrationSample>();
        var landmarkSamples = new List<CalibrationSample>();
        var expressionSamples = new List<CalibrationSample>();
        List<SourceFace> faces;
        using (var photoDetector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), cpu))
        {
            faces = CabinVideoGenerator.DemoFaces(store, photoDetector, landmarker);
            var probabilities = new float[ExpressionClassifier.Labels.Length];
            foreach (var photo in CabinVideoGenerator.DemoPhotos)
            {
                var (w, h, rgb, gray) = DemoPhoto.Load(store.Require(photo));
                foreach (var (pixels, channels) in new[] { (rgb, 3), (gray, 1) })
                {
                    var boxes = new List<FaceBox>();
                    if (channels == 3) photoDetector.Detect(pixels, w, h, boxes);
                    else photoDetector.DetectGray(pixels, w, h, boxes);
                    detectorSamples.Add(Sample("image", photoDetector.PreparedInput, photoDetector.InputSize));
                    foreach (var box in boxes)
                    {
                        var landmarks = new FaceLandmarks();
                        if (!landmarker.Locate(pixels, w, h, channels, box, landmarks)) continue;
                        landmarkSamples.Add(Sample("face", landmarker.PreparedInput, 112));
                        if (expressions.Classify(pixels, w, h, channels, landmarks.AlignedBox(1), probabilities))
                            expressionSamples.Add(Sample("face", expressions.PreparedInput, 112));
                    }
                }
            }
        }
        var dir = Directory.CreateTempSubdirectory("stepaudio-vision-calibration-").FullName;
        try
        {
            for (var c = 0; c < cameras.Count; c++)
            {
                var camera = cameras[c];
                var video = Path.Combine(dir, $"cam{c}.y4m");
                var talkers = camera.Seats.Where((_, i) => i % 2 == 0).Select(r => r.Zone).ToList();
                var seats = CabinVideoGenerator.Seats(camera, faces, talkers, Frames / 30.0, seed + c);
                new CabinVideoGenerator(camera, seats, seed: seed + c).Write(video, Path.Combine(dir, $"cam{c}.truth.json"), Frames / 30.0);
                var trackers = camera.Seats.Select(r => new SeatFaceTracker(r, detector, landmarker, DetectEvery, allRegions: camera.Seats)).ToList();
                var landmarks = new FaceLandmarks();
                var probabilities = new float[ExpressionClassifier.Labels.Length];
                using var source = new Y4mFileSource(video);
                var frame = VideoFrame.For(source);
                for (var f = 0; source.Read(frame); f++)
                {
                    if (f % LookEvery != 0) continue;
                    foreach (var tracker in trackers)
                    {
                        var found = tracker.Track(frame, landmarks);
                        if (tracker.DetectorRan) detectorSamples.Add(Sample("image", detector.PreparedInput, detectorInputSize));
                        if (!found) continue;
                        landmarkSamples.Add(Sample("face", landmarker.PreparedInput, 112));
                        if (expressions.Classify(frame.Luma, frame.Width, frame.Height, 1, landmarks.AlignedBox(1), probabilities))
                            expressionSamples.Add(Sample("face", expressions.PreparedInput, 112));
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return new VisionCalibrationSamples(detectorSamples, landmarkSamples, expressionSamples);
    }

    private static CalibrationSample Sample(string name, ReadOnlySpan<float> input, int side) =>
        new([new CalibrationTensor(name, input[..(3 * side * side)].ToArray(), [1, 3, side, side])]);
}
