using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Tools.Simulation;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Emotion;

/// <summary>
/// The HIL emotion scenarios through the whole pipeline (4-microphone cabin recording → spatial front
/// end → zone beams → emotion stage): the agitated talker escalates for the right seat within 6 s of
/// the onset, the same talker staying calm never does, and every event is valid against its schema.
/// </summary>
[Collection(HeavyAudioCollection.Name)]
public class EmotionPipelineScenarioTests(ITestOutputHelper output)
{
    private sealed class ListSink : IEventSink
    {
        public List<CabinEvent> Events { get; } = [];

        public void Publish(CabinEvent e) => Events.Add(e);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    public void AnAgitatedTalkerEscalatesWithinSixSecondsOfOnsetAndTheSameTalkerCalmDoesNot(int index)
    {
        var dir = TestPaths.NewTempDir();
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var generator = new EmotionScenarioGenerator(profile, TestPaths.ConsoleCabin, new TextToSpeech());
        var agitatedTruth = generator.Agitated(index, 2, Path.Combine(dir, "agitated"));
        var calmTruth = generator.Agitated(index, 2, Path.Combine(dir, "steady"), calm: true);

        // As hil run plays them: with loudspeaker feeds (hil generate --echo-references) their echo is cancelled.
        var agitated = Replay(profile, Path.Combine(dir, "agitated", "audio.wav"), agitatedTruth.EchoReferences);
        var calm = Replay(profile, Path.Combine(dir, "steady", "audio.wav"), calmTruth.EchoReferences);
        var expected = Assert.Single(agitatedTruth.Escalations);
        var escalations = agitated.OfType<EscalationEvent>().ToList();
        output.WriteLine($"{agitatedTruth.Scenario}: onset {expected.Onset} in {expected.Zone}; escalations: {string.Join("; ", escalations.Select(e => $"{e.StreamTime} {e.Zone} {e.Severity}"))}");
        output.WriteLine("emotion: " + string.Join("; ", agitated.OfType<EmotionEvent>().Select(e => $"{e.StreamTime:F1} {e.Zone} {e.Label} {e.Agitation:F2}")));

        var first = Assert.Single(escalations, e => e.StreamTime >= expected.Onset && e.StreamTime <= expected.Deadline);
        Assert.Equal(expected.Zone, first.Zone);
        Assert.Equal("sustained-agitation", first.Trigger);
        // Voice only until vision feeds faces, and the evidence says so.
        Assert.Equal((1.0, 0.0), (first.Evidence!.VoiceWeight, first.Evidence.FaceWeight));
        Assert.All(escalations, e => Assert.Equal(expected.Zone, e.Zone));
        Assert.Contains(agitated.OfType<EmotionEvent>(), e => e.Zone == expected.Zone && e.Label == "agitated");
        Assert.Empty(calmTruth.Escalations);
        Assert.Empty(calm.OfType<EscalationEvent>());
        Assert.DoesNotContain(calm.OfType<EmotionEvent>(), e => e.Label == "agitated");

        foreach (var e in agitated.Concat(calm))
        {
            switch (e)
            {
                case EmotionEvent emotion:
                    Assert.Null(emotion.Face);
                    Assert.Equal(1.0, emotion.Voice!.Weight);
                    SeatEmotionFusionTests.AssertMatchesSchema(e, "emotion");
                    break;
                case EscalationEvent:
                    SeatEmotionFusionTests.AssertMatchesSchema(e, "escalation");
                    break;
            }
        }
        // At most one emotion event per second per seat.
        foreach (var seat in agitated.OfType<EmotionEvent>().GroupBy(e => e.Zone))
            Assert.All(seat.Zip(seat.Skip(1)), p => Assert.True(p.Second.StreamTime - p.First.StreamTime >= 0.999, $"{seat.Key}: {p.First.StreamTime} then {p.Second.StreamTime}"));
    }

    private static List<CabinEvent> Replay(CabinProfile profile, string wav, int references)
    {
        var sink = new ListSink();
        var pipeline = new CabinPipeline(profile, sink, new SpatialOptions { EchoReferences = references }) { Emotion = new EmotionStage(profile) };
        new PipelineRunner(() => AudioSourceFactory.OpenRecording(wav, profile, references: references), pipeline).Run(CancellationToken.None);
        return sink.Events;
    }
}
