using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Vision;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>
/// The vision stage end to end on a generated cabin video: face-api's demo faces in the four seat regions of
/// the 640×480 profile, two of them talking to seeded envelopes, IR-like gray with noise, head sway and
/// exposure steps. The targets: recall ≥ 95 %, landmark error ≤ 5 % of the eye distance, visual
/// speech frame accuracy ≥ 90 %.
/// </summary>
public class TalkingCabinVideoTests(ITestOutputHelper output)
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    [Fact]
    public void MeetsTheDetectionLandmarkAndVisualSpeechTargets()
    {
        var profile = CabinProfileReader.Load(Path.Combine(TestPaths.RepoRoot, "deploy", "cabins", "sedan-headliner-linear.json"));
        var camera = profile.Camera!;
        var store = TestModels.Store;
        var dir = TestPaths.NewTempDir();
        var video = Path.Combine(dir, "cam.y4m");
        var truth = Path.Combine(dir, "cam.truth.json");
        using (var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu))
        using (var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store), Cpu))
        {
            var seats = CabinVideoGenerator.Seats(camera, CabinVideoGenerator.DemoFaces(store, detector, landmarker), ["driver", "rear-right"], 10, seed: 3);
            new CabinVideoGenerator(camera, seats, 30, seed: 3).Write(video, truth, 10);
        }
        // Detect every frame so recall is the detector's own.
        using var vision = CabinVision.Load(camera, store, Cpu, new VisionOptions { RedetectFrames = 1, ExpressionEvery = 0 });
        var score = VisionScorer.Score(camera, vision, video, truth);
        foreach (var s in score.Seats)
            output.WriteLine($"{s.Zone}: recall {s.DetectionRecall:P1}, landmark error {s.LandmarkError:P1}, speech accuracy {s.SpeechAccuracy:P1}");
        output.WriteLine($"all: recall {score.DetectionRecall:P1}, landmark error {score.LandmarkError:P2} (95th {score.LandmarkError95:P1}), speech accuracy {score.SpeechAccuracy:P1}");
        Assert.Equal(300, score.Frames);
        Assert.True(score.DetectionRecall >= 0.95, $"recall {score.DetectionRecall:P1}");
        Assert.True(score.LandmarkError <= 0.05, $"landmark error {score.LandmarkError:P2}");
        Assert.True(score.SpeechAccuracy >= 0.90, $"visual speech accuracy {score.SpeechAccuracy:P1}");
    }

    [Fact]
    public void TheEnvelopeLeavesTheLipsClosedBetweenSyllablesAndTheTruthFollowsTheSpurts()
    {
        var e = new SpeechEnvelope(20, seed: 5);
        Assert.NotEmpty(e.Spurts);
        var (start, end) = e.Spurts[0];
        Assert.True(end - start >= 1.2 - 1e-9);
        Assert.True(e.Speaking(start + 0.01) && !e.Speaking(start - 0.01));
        var inside = Enumerable.Range(0, 300).Select(i => e.Opening(start + ((end - start) * i / 300))).ToArray();
        Assert.True(inside.Max() > 0.4 && inside.Min() < 0.05, "syllables open and close the mouth");
        Assert.Equal(0, e.Opening(start - 0.5));
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(0, SpeechEnvelope.Silent(20).Opening(i * 0.2)));
    }
}
