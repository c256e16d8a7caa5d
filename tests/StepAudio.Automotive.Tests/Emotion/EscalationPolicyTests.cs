using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Tests.Emotion;

public class EscalationPolicyTests
{
    private const double Hop = 0.01;

    [Fact]
    public void EmergencyIntentEscalatesCriticalAtTheIntentsStreamTime()
    {
        var policy = new EscalationPolicy();
        foreach (var zone in new[] { "driver", "rear-left" })
        {
            var intent = new IntentEvent("assist.emergency", new Dictionary<string, string>(), zone, 0.9, 10, 11.2, 11.25);
            var e = policy.OnIntent(intent);
            Assert.NotNull(e);
            Assert.Equal("critical", e.Severity);
            Assert.Equal("emergency-intent", e.Trigger);
            Assert.Equal("assist.emergency", e.Evidence!.Intent);
            Assert.InRange(e.StreamTime - intent.StreamTime, 0, 0.3);
        }
        Assert.Null(policy.OnIntent(new IntentEvent("media.volume.set", new Dictionary<string, string>(), "driver", 0.9, 20, 21, 21)));
    }

    [Fact]
    public void DistressKeywordEscalatesHigh()
    {
        var policy = new EscalationPolicy();
        Assert.Null(policy.OnKeyword("driver", "radio", 3));
        var e = policy.OnKeyword("driver", " Help Me ", 4)!;
        Assert.Equal("high", e.Severity);
        Assert.Equal("help me", e.Evidence!.Keyword);
    }

    /// <summary>The sustain fixed at N seconds whatever the level (HighSustainSeconds = SustainSeconds).</summary>
    private static EscalationOptions FixedSustain() => new() { HighSustainSeconds = 4 };

    [Fact]
    public void SustainedAgitationEscalatesAfterNSecondsNotBefore()
    {
        var policy = new EscalationPolicy(FixedSustain());
        var escalations = Run(policy, "driver", 20, t => t < 5 ? 0.1 : 0.75);
        var e = Assert.Single(escalations);
        Assert.Equal("sustained-agitation", e.Trigger);
        Assert.Equal("medium", e.Severity);
        Assert.InRange(e.StreamTime, 9.0, 9.02);
        Assert.InRange(e.Evidence!.SustainedSeconds!.Value, 4.0, 4.02);
        Assert.Equal(0.75, e.Evidence.Agitation);
        Assert.Equal(1, e.Evidence.VoiceWeight);
        Assert.Equal(0, e.Evidence.FaceWeight);
        SeatEmotionFusionTests.AssertMatchesSchema(e, "escalation");
    }

    [Fact]
    public void BriefBurstsAndDipsInsideTheHysteresisBandBehaveAsDesigned()
    {
        // 3.5 s bursts separated by dips well below the exit threshold: never 4 s, never escalates.
        Assert.Empty(Run(new EscalationPolicy(FixedSustain()), "driver", 30, t => t % 5 < 3.5 ? 0.8 : 0.2));
        // Dips to 0.5 (between exit 0.35 and enter 0.6) do not reset the timer: escalates at 4 s.
        var e = Assert.Single(Run(new EscalationPolicy(FixedSustain()), "driver", 10, t => t < 1 ? 0.1 : t % 1 < 0.5 ? 0.7 : 0.5));
        Assert.InRange(e.StreamTime, 5.0, 5.02);
        // With the default level-dependent sustain, 0.8 needs 2.4 s: 2 s bursts never get there.
        Assert.Empty(Run(new EscalationPolicy(), "driver", 30, t => t % 5 < 2 ? 0.8 : 0.2));
        // Just under the entry threshold forever: nothing.
        Assert.Empty(Run(new EscalationPolicy(), "driver", 60, _ => 0.59));
    }

    [Theory]
    [InlineData(0.6, 4.0)]
    [InlineData(0.725, 3.0)]
    [InlineData(0.85, 2.0)]
    [InlineData(0.97, 2.0)]
    public void StrongerAgitationNeedsAShorterSustain(double agitation, double seconds)
    {
        var e = Assert.Single(Run(new EscalationPolicy(), "driver", 12, t => t < 5 ? 0.1 : agitation));
        Assert.InRange(e.StreamTime - 5, seconds, seconds + 0.02);
        Assert.InRange(e.Evidence!.SustainedSeconds!.Value, seconds, seconds + 0.02);
        Assert.Equal(agitation, e.Evidence.PeakAgitation);
        Assert.Equal(agitation >= 0.85 ? "high" : "medium", e.Severity);
    }

    [Fact]
    public void EvidenceGathersAtTheRateOfEachMoment()
    {
        // 1 s at 0.6 (a quarter of 4 s) then 0.85 (2 s for all of it): the remaining three quarters take 1.5 s.
        var e = Assert.Single(Run(new EscalationPolicy(), "driver", 12, t => t < 5 ? 0.1 : t < 6 ? 0.6 : 0.85));
        Assert.InRange(e.StreamTime, 7.5, 7.52);
        Assert.Equal(2.5, e.Evidence!.SustainedSeconds!.Value, 0.02);
        // A dip below the exit threshold throws the gathered evidence away.
        var reset = Assert.Single(Run(new EscalationPolicy(), "driver", 12, t => t < 5 ? 0.1 : t is >= 6.5 and < 6.6 ? 0.2 : 0.85));
        Assert.InRange(reset.StreamTime, 8.6, 8.62);
    }

    [Fact]
    public void VeryHighAgitationIsHighSeverity()
    {
        var e = Assert.Single(Run(new EscalationPolicy(), "driver", 10, t => t < 1 ? 0.1 : 0.9));
        Assert.Equal("high", e.Severity);
    }

    [Fact]
    public void CooldownSuppressesRepeatsButNotAHigherSeverity()
    {
        var policy = new EscalationPolicy(new EscalationOptions { CooldownSeconds = 60, HighSustainSeconds = 4 });
        var first = Run(policy, "driver", 100, t => t < 1 ? 0.1 : 0.75);
        // Medium at 5 s, suppressed until 65 s, then the still-sustained agitation escalates again.
        Assert.Equal([5.0, 65.0], first.Select(e => Math.Round(e.StreamTime)).ToArray());
        // During a cooldown after a medium, an emergency intent still goes out.
        var p2 = new EscalationPolicy(FixedSustain());
        Assert.Single(Run(p2, "driver", 10, t => t < 1 ? 0.1 : 0.75));
        Assert.NotNull(p2.OnIntent(new IntentEvent("assist.emergency", new Dictionary<string, string>(), "driver", 0.9, 10, 11, 11)));
        Assert.Null(p2.OnIntent(new IntentEvent("assist.emergency", new Dictionary<string, string>(), "driver", 0.9, 20, 21, 21)));
        // Seats have their own cooldowns.
        Assert.Single(Run(p2, "rear-left", 10, t => t < 1 ? 0.1 : 0.75));
    }

    [Fact]
    public void MissingModalitiesHoldForAShortGapAndResetAfterALongOne()
    {
        // Agitated, then 1.5 s with no modality at all (talker pauses, camera lost), then agitated again: the episode continues.
        // The gap holds the episode but adds nothing: 2 s before it, 2 s after it.
        var shortGap = Run(new EscalationPolicy(FixedSustain()), "driver", 10, t => t < 1 ? 0.1 : t is > 3 and < 4.5 ? double.NaN : 0.8);
        Assert.InRange(Assert.Single(shortGap).StreamTime, 6.48, 6.51);
        // A 3 s gap resets: counting starts again at 7 s.
        var longGap = Run(new EscalationPolicy(FixedSustain()), "driver", 15, t => t < 1 ? 0.1 : t is > 3 and < 7 ? double.NaN : 0.8);
        Assert.InRange(Assert.Single(longGap).StreamTime, 11.0, 11.02);
        // Face alone carries the decision and is reported as such.
        var policy = new EscalationPolicy();
        EscalationEvent? e = null;
        for (var t = 0.0; t < 6 && e is null; t += Hop)
            e = policy.OnEmotion("driver", new FusedEmotion(0.8, 0.8, -0.6, 0, 1, default, SeatEmotionFusionTests.AngryFace), t);
        Assert.NotNull(e);
        Assert.Equal(1, e.Evidence!.FaceWeight);
        Assert.Equal(0, e.Evidence.VoiceWeight);
    }

    [Fact]
    public void AnEstimateHeldThroughAPauseAddsNothing()
    {
        // 0.7 heard for 2 s, then the same 0.7 only held (the talker paused) for 0.9 s, then heard again.
        var policy = new EscalationPolicy(FixedSustain());
        EscalationEvent? e = null;
        for (var hop = 0; hop <= 1000 && e is null; hop++)
        {
            var t = hop * Hop;
            var observed = t is < 2 or >= 2.9;
            e = policy.OnEmotion("driver", Fused(0.7) with { Observed = observed }, t);
        }
        Assert.NotNull(e);
        // 4 s of agitated speech: 2 s before the pause and 2 s after it (a clock would have said 4.0).
        Assert.InRange(e.StreamTime, 4.9, 4.92);
    }

    [Fact]
    public void DriverOnlyLimitsEmotionTriggersNotEmergencies()
    {
        var options = new EscalationOptions { DriverOnly = true };
        var policy = new EscalationPolicy(options);
        Assert.Empty(Run(policy, "rear-left", 10, _ => 0.9));
        Assert.Single(Run(policy, "driver", 10, _ => 0.9));
        Assert.NotNull(policy.OnIntent(new IntentEvent("assist.emergency", new Dictionary<string, string>(), "rear-left", 0.9, 1, 2, 2)));
    }

    [Fact]
    public void ThreeFailedCommandsWithRisingArousalEscalateLow()
    {
        var policy = new EscalationPolicy();
        var escalations = new List<EscalationEvent>();
        double Arousal(double t) => 0.5 + t / 100; // rises 0.3 over 30 s
        for (var hop = 0; hop < 3500; hop++)
        {
            var t = hop * Hop;
            if (hop is 0 or 1000 or 2000) Add(policy.OnWake(new WakeEvent("hey_jarvis", "driver", 0.9, t)));
            Add(policy.OnEmotion("driver", Fused(0.2, Arousal(t)), t));
        }
        var e = Assert.Single(escalations);
        Assert.Equal("failed-commands", e.Trigger);
        Assert.Equal("low", e.Severity);
        Assert.Equal(3, e.Evidence!.FailedCommands);
        Assert.InRange(e.StreamTime, 25.0, 25.02);
        Assert.True(e.Evidence.ArousalRise >= 0.1);
        SeatEmotionFusionTests.AssertMatchesSchema(e, "escalation");

        void Add(EscalationEvent? x)
        {
            if (x is not null) escalations.Add(x);
        }
    }

    [Fact]
    public void OnlyWakeWordsTheSeatFollowsWithTalkAreFailedCommands()
    {
        // Three wake words 10 s apart with rising arousal and no intent; after each the seat talks for this long.
        foreach (var (talkSeconds, escalates) in new[] { (0.0, false), (0.4, false), (0.6, true), (3.0, true) })
        {
            var policy = new EscalationPolicy();
            var escalations = new List<EscalationEvent>();
            for (var hop = 0; hop < 3500; hop++)
            {
                var t = hop * Hop;
                if (hop is 0 or 1000 or 2000 && policy.OnWake(new WakeEvent("hey_jarvis", "driver", 0.9, t)) is { } w) escalations.Add(w);
                // Talk from 1 s after the wake (the keyword itself is not the command).
                var sinceWake = (hop % 1000 * Hop) - 1;
                var talking = sinceWake > 0 && sinceWake <= talkSeconds + 1e-9;
                if (policy.OnEmotion("driver", Fused(0.2, 0.5 + (t / 100)), t, talking) is { } e) escalations.Add(e);
            }
            if (escalates) Assert.Equal("failed-commands", Assert.Single(escalations).Trigger);
            else Assert.Empty(escalations);
        }
    }

    [Fact]
    public void WakeWordsWhoseWindowHeardTalkAreNoFailedCommands()
    {
        // As above with 3 s of talk after each wake word, but the transcriber judged one window's talk as no
        // command: two failures within the minute are not three.
        foreach (var talkAt in new[] { -1, 1000 })
        {
            var policy = new EscalationPolicy();
            var escalations = new List<EscalationEvent>();
            for (var hop = 0; hop < 3500; hop++)
            {
                var t = hop * Hop;
                if (hop is 0 or 1000 or 2000 && policy.OnWake(new WakeEvent("hey_jarvis", "driver", 0.9, t)) is { } w) escalations.Add(w);
                if (talkAt >= 0 && hop == talkAt + 250) policy.OnTalk("driver");
                var sinceWake = (hop % 1000 * Hop) - 1;
                if (policy.OnEmotion("driver", Fused(0.2, 0.5 + (t / 100)), t, sinceWake is > 0 and <= 3) is { } e) escalations.Add(e);
            }
            if (talkAt < 0) Assert.Equal("failed-commands", Assert.Single(escalations).Trigger);
            else Assert.Empty(escalations);
        }
    }

    [Fact]
    public void FailedCommandsWithSteadyArousalOrAnsweredWakesDoNotEscalate()
    {
        var steady = new EscalationPolicy();
        var answered = new EscalationPolicy();
        for (var hop = 0; hop < 4000; hop++)
        {
            var t = hop * Hop;
            if (hop % 1000 == 0)
            {
                Assert.Null(steady.OnWake(new WakeEvent("hey_jarvis", "driver", 0.9, t)));
                Assert.Null(answered.OnWake(new WakeEvent("hey_jarvis", "driver", 0.9, t)));
            }
            if (hop % 1000 == 200) answered.OnIntent(new IntentEvent("media.play", new Dictionary<string, string>(), "driver", 0.9, t - 1, t, t));
            Assert.Null(steady.OnEmotion("driver", Fused(0.2, 0.5), t));
            Assert.Null(answered.OnEmotion("driver", Fused(0.2, 0.5 + t / 50), t));
        }
    }

    [Fact]
    public void BadConfigurationIsNamed()
    {
        var e = Assert.Throws<InvalidInputException>(() => new EscalationPolicy(new EscalationOptions { AgitationExit = 0.7 }));
        Assert.Contains("AgitationExit", e.Message, StringComparison.Ordinal);
        var sustain = Assert.Throws<InvalidInputException>(() => new EscalationPolicy(new EscalationOptions { HighSustainSeconds = 5 }));
        Assert.Contains("HighSustainSeconds", sustain.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DisabledNeverEscalates()
    {
        var policy = new EscalationPolicy(new EscalationOptions { Enabled = false });
        Assert.Empty(Run(policy, "driver", 10, _ => 0.9));
        Assert.Null(policy.OnIntent(new IntentEvent("assist.emergency", new Dictionary<string, string>(), "driver", 0.9, 1, 2, 2)));
    }

    private static FusedEmotion Fused(double agitation, double arousal = 0.6) =>
        new(arousal, agitation, null, 1, 0, new VoiceEmotion(arousal, agitation, 0, 0.8), default);

    /// <summary>Feeds an agitation stream (NaN = no modality) every 10 ms of stream time.</summary>
    private static List<EscalationEvent> Run(EscalationPolicy policy, string zone, double seconds, Func<double, double> agitation)
    {
        var result = new List<EscalationEvent>();
        for (var hop = 0; hop <= seconds / Hop; hop++)
        {
            var t = hop * Hop;
            var a = agitation(t);
            var fused = double.IsNaN(a) ? default(FusedEmotion) with { Arousal = 0.5 } : Fused(a);
            if (policy.OnEmotion(zone, fused, t) is { } e) result.Add(e);
        }
        return result;
    }
}
