using System.Text.Json;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Emotion;

public class SeatEmotionFusionTests
{
    internal static readonly FaceExpression AngryFace = new(0.05, 0, 0, 0.05, 0, 0.1, 0.8, 0.9);
    internal static readonly FaceExpression NeutralFace = new(0.9, 0.05, 0.02, 0.01, 0.01, 0.005, 0.005, 0.9);
    private static readonly VoiceEmotion CalmVoice = new(0.45, 0.05, -0.1, 0.8);
    private static readonly VoiceEmotion AgitatedVoice = new(0.85, 0.9, 1.3, 0.8);

    [Fact]
    public void WeightsFollowReliabilityAndEitherModalityCarriesAlone()
    {
        var seat = new SeatEmotionFusion("driver");
        seat.Voice(AgitatedVoice, 1.0);
        var voiceOnly = seat.Fuse(1.0);
        Assert.Equal(1, voiceOnly.VoiceWeight);
        Assert.Equal(0, voiceOnly.FaceWeight);
        Assert.Null(voiceOnly.Valence);
        Assert.Equal(0.9, voiceOnly.Agitation, 6);

        var faceOnly = new SeatEmotionFusion("driver");
        faceOnly.Face(AngryFace, 1.0);
        var f = faceOnly.Fuse(1.0);
        Assert.Equal(1, f.FaceWeight);
        Assert.True(f.Agitation > 0.8);
        Assert.True(f.Valence < -0.4);
        Assert.Equal("angry", SeatEmotionFusion.Label(f).Label);

        // Both, face less reliable: the fused score sits between, nearer the voice.
        seat.Face(NeutralFace with { Reliability = 0.2 }, 1.0);
        var both = seat.Fuse(1.0);
        Assert.Equal(0.8, both.VoiceWeight, 6);
        Assert.Equal(0.2, both.FaceWeight, 6);
        Assert.InRange(both.Agitation, 0.6, 0.8);
    }

    [Fact]
    public void AModalityThatStopsReportingDropsOut()
    {
        var seat = new SeatEmotionFusion("driver");
        seat.Voice(CalmVoice, 0);
        seat.Face(AngryFace, 0);
        Assert.True(seat.Fuse(0.1).FaceWeight > 0.4);
        // The face outlives the vision stage's 0.67 s expression cadence...
        Assert.True(seat.Fuse(0.8).FaceWeight > 0.4);
        // ...but camera lost at 0: after 1 s only the voice counts.
        seat.Voice(CalmVoice, 0.6);
        Assert.Equal(0, seat.Fuse(1.1).FaceWeight);
        Assert.Equal(1, seat.Fuse(1.1).VoiceWeight);
        // Voice gone too after 1 s: nothing known, no event.
        Assert.False(seat.Fuse(1.7).Known);
        Assert.Null(seat.Emit(1.7));
    }

    [Fact]
    public void AHeldEstimateIsKnownButNotObserved()
    {
        var seat = new SeatEmotionFusion("driver");
        seat.Voice(CalmVoice, 2);
        Assert.True(seat.Fuse(2.01).Observed);
        // A pause: the voice estimate is held for a second, but nobody is heard.
        Assert.True(seat.Fuse(2.5).Known);
        Assert.False(seat.Fuse(2.5).Observed);
        seat.Face(AngryFace, 2.5);
        Assert.True(seat.Fuse(2.55).Observed);
        Assert.False(seat.Fuse(3.6).Observed);
        Assert.False(new SeatEmotionFusion("rear-left").Fuse(0).Observed);
    }

    [Fact]
    public void FaceIsSmoothedNotFollowedFrameByFrame()
    {
        var seat = new SeatEmotionFusion("driver");
        for (var i = 0; i < 30; i++) seat.Face(NeutralFace, i / 30.0);
        seat.Face(AngryFace, 1.0);
        var oneFrame = seat.Fuse(1.0).Agitation;
        Assert.True(oneFrame < 0.2, $"one angry frame moved agitation to {oneFrame:F3}");
        for (var i = 1; i <= 45; i++) seat.Face(AngryFace, 1.0 + i / 30.0);
        Assert.True(seat.Fuse(2.5).Agitation > 0.75);
    }

    [Fact]
    public void EventsAtMostOncePerSecondAndOnlyWhileChanging()
    {
        var seat = new SeatEmotionFusion("rear-left");
        var events = new List<EmotionEvent>();
        for (var hop = 0; hop < 1000; hop++)
        {
            var t = hop * 0.01;
            // Calm for 4 s, then agitation ramps up over 3 s and stays.
            var agitation = t < 4 ? 0.05 : Math.Min(0.95, 0.05 + (t - 4) * 0.3);
            seat.Voice(new VoiceEmotion(0.45 + agitation * 0.4, agitation, agitation * 1.5, 0.8), t);
            if (seat.Emit(t) is { } e) events.Add(e);
        }
        Assert.Equal("calm", events[0].Label);
        Assert.All(events.Zip(events.Skip(1)), p => Assert.True(p.Second.StreamTime - p.First.StreamTime >= 1.0));
        Assert.Contains(events, e => e.Label == "agitated");
        // Steady after 7 s: nothing new.
        Assert.DoesNotContain(events, e => e.StreamTime > 8.1);
        Assert.True(events.Count <= 6, $"{events.Count} events");
        Assert.All(events, e => Assert.Null(e.Face));
    }

    [Fact]
    public void EmotionEventsMatchTheMqttSchema()
    {
        var seat = new SeatEmotionFusion("front-passenger");
        seat.Voice(AgitatedVoice, 3);
        seat.Face(AngryFace, 3);
        var both = seat.Emit(3)!;
        Assert.Equal("angry", both.Label);
        Assert.NotNull(both.Voice);
        Assert.NotNull(both.Face);
        Assert.Equal(1, both.Voice!.Weight + both.Face!.Weight, 3);
        Assert.NotNull(both.Valence);
        var voiceOnly = new SeatEmotionFusion("driver");
        voiceOnly.Voice(CalmVoice, 2);
        var v = voiceOnly.Emit(2)!;
        Assert.Null(v.Valence);
        Assert.Null(v.Face);
        foreach (var e in new CabinEvent[] { both, v, new EmotionEvent("rear-left", "distressed", 0.88, 39.9) })
            AssertMatchesSchema(e, "emotion");
    }

    [Fact]
    public void BadFaceInputIsRejectedNamingTheSeatAndField()
    {
        var seat = new SeatEmotionFusion("driver");
        var e = Assert.Throws<InvalidInputException>(() => seat.Face(AngryFace with { Anger = 1.5 }, 0));
        Assert.Contains("driver", e.Message, StringComparison.Ordinal);
        Assert.Contains("anger", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => seat.Face(NeutralFace with { Neutral = 0.2 }, 0));
    }

    internal static void AssertMatchesSchema(CabinEvent e, string schema)
    {
        var now = new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
        var payload = MqttEnvelope.ForEvent(e, MqttEnvelope.NewMessageId(now), now);
        using var doc = JsonDocument.Parse(payload);
        Assert.Null(PayloadSchemas.Check(schema, doc.RootElement));
    }
}
