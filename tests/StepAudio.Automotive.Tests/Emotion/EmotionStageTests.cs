using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;

namespace StepAudio.Automotive.Tests.Emotion;

/// <summary>
/// The emotion stage inside <see cref="CabinPipeline"/>: what other stages publish reaches the
/// escalation policy within the same hop, and escalations are not doubled.
/// </summary>
public class EmotionStageTests
{
    private static readonly IReadOnlyDictionary<string, string> NoSlots = new Dictionary<string, string>();

    private sealed class ListSink : IEventSink
    {
        public List<CabinEvent> Events { get; } = [];

        public void Publish(CabinEvent e) => Events.Add(e);
    }

    private static (CabinPipeline Pipeline, ListSink Sink, float[] Hop) Pipeline(EscalationOptions? escalation = null)
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var sink = new ListSink();
        var pipeline = new CabinPipeline(profile, sink)
        {
            Emotion = new EmotionStage(profile, escalation: escalation),
        };
        pipeline.Start("test");
        // Quiet sensor noise: nobody talks, so only what the test injects can escalate.
        var rng = new Random(4);
        var hop = new float[CabinPipeline.HopFrames * profile.Mics.Count];
        for (var i = 0; i < hop.Length; i++) hop[i] = (float)(1e-4 * (rng.NextDouble() - 0.5));
        return (pipeline, sink, hop);
    }

    [Fact]
    public void AnEmergencyIntentEscalatesInTheSameHop()
    {
        var (pipeline, sink, hop) = Pipeline();
        for (var i = 0; i < 100; i++) pipeline.Process(hop);
        // As the speech stage would publish it during this hop.
        var intent = new IntentEvent("assist.emergency", NoSlots, "rear-left", 0.93, 0.2, 0.95, CabinEvent.Round(pipeline.StreamTime + 0.01));
        pipeline.Emotion!.Observe(intent);
        pipeline.Process(hop);
        var e = Assert.Single(sink.Events.OfType<EscalationEvent>());
        Assert.Equal("rear-left", e.Zone);
        Assert.Equal("critical", e.Severity);
        Assert.Equal("emergency-intent", e.Trigger);
        Assert.InRange(e.StreamTime - intent.StreamTime, 0, 0.3);
        SeatEmotionFusionTests.AssertMatchesSchema(e, "escalation");
    }

    [Fact]
    public void AnEscalationTheSpeechStagePublishedIsNotDoubled()
    {
        var (pipeline, sink, hop) = Pipeline();
        pipeline.Process(hop);
        var t = CabinEvent.Round(pipeline.StreamTime + 0.01);
        // The speech stage escalates the emergency command itself (grammar escalations) and publishes the intent.
        pipeline.Emotion!.Observe(new IntentEvent("assist.emergency", NoSlots, "driver", 0.9, 0, t, t));
        // The grammar escalates assist.emergency as "high"; the policy's own would be "critical".
        pipeline.Emotion.Observe(new EscalationEvent("distress", "driver", "high", t) { Trigger = "emergency-intent" });
        pipeline.Process(hop);
        Assert.Empty(sink.Events.OfType<EscalationEvent>());
        // A different seat is not held back by it.
        pipeline.Emotion.Observe(new IntentEvent("assist.emergency", NoSlots, "rear-right", 0.9, 0, t + 0.01, t + 0.01));
        pipeline.Process(hop);
        Assert.Equal("rear-right", Assert.Single(sink.Events.OfType<EscalationEvent>()).Zone);
    }

    [Fact]
    public void PushToTalkWithNobodyTalkingIsNotAFailedCommand()
    {
        // Three presses 10 s apart with no understood command, no arousal rise required. Nobody said anything
        // after them: nothing was asked, so nothing failed (FailedCommandSpeechSeconds 0.5); with 0 every press
        // counts, as before that rule. (The policy's tests count wake words followed by talk.)
        foreach (var (speechSeconds, escalates) in new[] { (0.5, false), (0.0, true) })
        {
            var (pipeline, sink, hop) = Pipeline(new EscalationOptions { ArousalRise = -1, FailedCommandSpeechSeconds = speechSeconds });
            for (var i = 0; i < 2700; i++)
            {
                if (i % 1000 == 10) pipeline.Listening.PushToTalk("driver");
                pipeline.Process(hop);
            }
            Assert.Equal(3, sink.Events.OfType<WakeEvent>().Count());
            var escalations = sink.Events.OfType<EscalationEvent>().ToList();
            if (!escalates)
            {
                Assert.Empty(escalations);
                continue;
            }
            var e = Assert.Single(escalations);
            Assert.Equal(("driver", "low", "failed-commands", 3), (e.Zone, e.Severity, e.Trigger, e.Evidence!.FailedCommands));
            // The third press at 20.1 s + IntentWaitSeconds 5.
            Assert.InRange(e.StreamTime, 25.1, 25.13);
        }
    }

    [Fact]
    public void ADistressKeywordHeadEscalatesHigh()
    {
        var (pipeline, sink, hop) = Pipeline();
        pipeline.Process(hop);
        pipeline.Emotion!.Observe(new WakeEvent("help me", "front-passenger", 0.8, CabinEvent.Round(pipeline.StreamTime)));
        pipeline.Process(hop);
        var e = Assert.Single(sink.Events.OfType<EscalationEvent>());
        Assert.Equal(("front-passenger", "high", "distress-keyword", "help me"), (e.Zone, e.Severity, e.Trigger, e.Evidence!.Keyword));
    }

    [Theory]
    [InlineData(new[] { true, false, false, false }, new[] { 0.3f, 0, 0, 0 }, 0, true)] // alone
    [InlineData(new[] { false, false, false, false }, new[] { 0.3f, 0, 0, 0 }, 0, false)] // not talking
    [InlineData(new[] { false, true, false, true }, new[] { 0f, 0.1f, 0, 0.4f }, 3, true)] // a weak ghost seat on the same side
    [InlineData(new[] { false, true, false, true }, new[] { 0f, 0.1f, 0, 0.4f }, 1, false)] // the ghost itself
    [InlineData(new[] { false, true, false, true }, new[] { 0f, 0.3f, 0, 0.4f }, 3, false)] // two talkers at once
    [InlineData(new[] { true, false, true, false }, new[] { 0.02f, 0, 0.005f, 0 }, 0, false)] // too faint to call
    public void OnlyASeatsOwnDominantTalkerIsAnalysed(bool[] active, float[] evidence, int zone, bool expected) =>
        Assert.Equal(expected, EmotionStage.IsAnalysable(active, evidence, zone));

    // Seats 0 driver, 1 front-passenger, 2 rear-left, 3 rear-right: the pairs are 0–2 and 1–3.
    [Theory]
    [InlineData(new[] { false, false, false, false }, new[] { 0.1f, 0, 0.1f, 0 }, new[] { 0.06f, 0, 0.08f, 0 }, 2, true)] // the tracker opens neither seat of the split pair: the one with more of it over the window
    [InlineData(new[] { false, false, false, false }, new[] { 0.1f, 0, 0.1f, 0 }, new[] { 0.06f, 0, 0.08f, 0 }, 0, false)] // …not its partner
    [InlineData(new[] { true, false, true, false }, new[] { 0.1f, 0, 0.12f, 0 }, new[] { 0.06f, 0, 0.08f, 0 }, 2, true)] // both open, neither dominant
    [InlineData(new[] { false, false, false, false }, new[] { 0.02f, 0, 0.02f, 0 }, new[] { 0.06f, 0, 0.08f, 0 }, 2, false)] // the side is quiet now
    [InlineData(new[] { false, false, false, false }, new[] { 0.1f, 0, 0.1f, 0 }, new[] { 0.01f, 0, 0.03f, 0 }, 2, false)] // too faint over the window
    [InlineData(new[] { false, true, false, false }, new[] { 0.1f, 0.2f, 0.1f, 0 }, new[] { 0.06f, 0, 0.08f, 0 }, 2, false)] // a seat off the pair talks
    [InlineData(new[] { false, false, false, false }, new[] { 0.1f, 0, 0.1f, 0.1f }, new[] { 0.06f, 0, 0.08f, 0.05f }, 2, false)] // the other side nearly as strong
    public void TheSeatWithMoreOfASplitFrontBackPairsEvidenceIsAnalysed(bool[] active, float[] evidence, float[] window, int zone, bool expected)
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var partners = EmotionStage.SameSidePartners(profile.Zones);
        Assert.Equal([2, 3, 0, 1], partners);
        Assert.Equal(expected, EmotionStage.IsPairTalker(active, evidence, window, partners, zone));
    }

    [Fact]
    public void NobodyTalkingGivesNoEmotionEvents()
    {
        var (pipeline, sink, hop) = Pipeline();
        for (var i = 0; i < 1000; i++) pipeline.Process(hop);
        Assert.DoesNotContain(sink.Events, e => e is EmotionEvent or EscalationEvent);
    }
}
