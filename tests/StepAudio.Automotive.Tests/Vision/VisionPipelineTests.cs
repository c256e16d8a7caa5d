using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>
/// The vision stage inside the pipeline: a generated 640×480 cabin video (the driver talking, the others
/// silent) stepped on the audio's stream time, with quiet audio. The driver's lips start visual speech,
/// the status says the attribution is audio-visual while frames come and audio-only once the video ends,
/// and the expressions reach the emotion stage.
/// </summary>
public class VisionPipelineTests
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    private sealed class Events : IEventSink
    {
        public List<CabinEvent> All { get; } = [];

        public void Publish(CabinEvent e) => All.Add(e);
    }

    [Fact]
    public void VisualSpeechStatusAndFacesFlowThroughThePipeline()
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin("sedan-headliner-linear"));
        var camera = profile.Camera!;
        var store = TestModels.Store;
        var dir = TestPaths.NewTempDir();
        var video = Path.Combine(dir, "cam.y4m");
        const double seconds = 4;
        SpeechEnvelope driver;
        using (var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu))
        using (var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store), Cpu))
        {
            var seats = CabinVideoGenerator.Seats(camera, CabinVideoGenerator.DemoFaces(store, detector, landmarker), ["driver"], seconds, seed: 4);
            driver = seats[0].Envelope;
            new CabinVideoGenerator(camera, seats, 30, seed: 4).Write(video, Path.Combine(dir, "cam.truth.json"), seconds);
        }

        var events = new Events();
        var zones = profile.Zones.Select(z => z.Name).ToList();
        var emotion = new EmotionStage(zones);
        using var vision = CabinVision.Load(camera, store, Cpu);
        using var input = new VideoInput(new Y4mFileSource(video));
        var pipeline = new CabinPipeline(profile, events) { Vision = vision, Emotion = emotion };
        pipeline.AttachVideo(input);
        pipeline.Start("test");
        var hop = new float[CabinPipeline.HopFrames * profile.Mics.Count];
        var faceSeen = false;
        while (pipeline.StreamTime < seconds + 1)
        {
            pipeline.Process(hop);
            faceSeen |= emotion.Fused(0, pipeline.StreamTime).FaceWeight > 0;
        }
        pipeline.Finish();

        var statuses = events.All.OfType<StatusEvent>().ToList();
        Assert.Equal("audio-visual", statuses[0].Attribution);
        Assert.Contains(statuses, s => s.Seats is { } seats && seats.Count == 4 && seats.All(x => x.Face));
        // The video ends at 4 s, the audio goes on: back to audio-only, no face claimed.
        Assert.Equal("audio-only", statuses[^1].Attribution);
        Assert.All(statuses[^1].Seats!, s => Assert.False(s.Face));

        var visual = events.All.OfType<VisualSpeechEvent>().ToList();
        var starts = visual.Where(e => e.Zone == "driver" && e.End is null).ToList();
        Assert.NotEmpty(starts);
        var (spurtStart, _) = driver.Spurts[0];
        Assert.InRange(starts[0].Start, spurtStart - 0.3, spurtStart + 0.6);
        // Every start is closed by an end (the last one when the camera stopped).
        Assert.Equal(visual.Count(e => e.End is null), visual.Count(e => e.End is not null));
        Assert.DoesNotContain(visual, e => e.Zone == "rear-left");
        Assert.True(faceSeen, "the expressions reached the emotion stage");
    }
}
