using StepAudio.Automotive.Fusion;

namespace StepAudio.Automotive.Tests.Fusion;

public class AudioVisualAttributionTests
{
    private static readonly string[] Zones = ["driver", "front-passenger", "rear-left", "rear-right"];

    /// <summary>Visual decisions at 15 per second from 0 to <paramref name="until"/> s, per zone.</summary>
    private static AudioVisualAttribution With(double until, params double[] probabilities)
    {
        var av = new AudioVisualAttribution(Zones, ["driver", "front-passenger", "rear-left"]) { CameraLive = true };
        for (var t = 0.0; t <= until; t += 1 / 15.0)
            for (var z = 0; z < probabilities.Length; z++) av.Observe(z, t, probabilities[z]);
        return av;
    }

    [Fact]
    public void TheMovingMouthWinsOverSlightlyStrongerAudioElsewhere()
    {
        var av = With(3, 0.05, 0.9, 0.05);
        // The localizer and the keyword lean to the driver, but only the passenger's lips moved.
        Assert.Equal(1, av.AttributeWake([0.7, 0.5, 0, 0], audioZone: 0, time: 3));
    }

    [Fact]
    public void TwoMovingMouthsLeaveTheChoiceToTheAudio()
    {
        var av = With(3, 0.9, 0.9, 0.05);
        Assert.Equal(0, av.AttributeWake([0.7, 0.5, 0, 0], 0, 3));
        Assert.Equal(1, av.AttributeWake([0.5, 0.7, 0, 0], 1, 3));
    }

    [Fact]
    public void AnUnderReadTalkerIsNotOutvotedByANeighbourStillFinishingASentence()
    {
        // Both mouths moved over the keyword: the neighbour's lips read 1.0, the talker's (a wide-open mouth the landmark
        // net under-reads) 0.6. The audio is sure of the driver; counting 1.0 above 0.6 would hand the keyword to the neighbour.
        var av = With(3, 0.6, 0.05, 1.0);
        Assert.Equal(0, av.AttributeWake([0.5, 0.25, 0, 0], 0, 3));
        // Reading mouths all the way up to 1.0 (the behaviour before FullSpeech) picks the neighbour.
        var graded = new AudioVisualAttribution(Zones, ["driver", "front-passenger", "rear-left"]) { CameraLive = true, FullSpeech = 1 };
        for (var t = 0.0; t <= 3; t += 1 / 15.0)
        {
            graded.Observe(0, t, 0.6);
            graded.Observe(1, t, 0.05);
            graded.Observe(2, t, 1.0);
        }
        Assert.Equal(2, graded.AttributeWake([0.5, 0.25, 0, 0], 0, 3));
    }

    [Fact]
    public void ABarelyMovingMouthStillRanksBelowASpeakingOne()
    {
        // Below FullSpeech vision still grades: a neighbour twitching (0.35) does not tie with the talker (0.9), so the
        // camera overrules audio that leans to the neighbour.
        var av = With(3, 0.35, 0.9, 0.05);
        Assert.Equal(1, av.AttributeWake([0.6, 0.45, 0, 0], 0, 3));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void FullSpeechOutsideItsRangeIsRejected(double value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioVisualAttribution(Zones, Zones) { FullSpeech = value });

    [Fact]
    public void NoMovingMouthRejectsTheWakeWord()
    {
        var av = With(3, 0.05, 0.1, 0.02);
        Assert.Null(av.AttributeWake([0.9, 0.3, 0.2, 0], 0, 3));
        Assert.Equal(1, av.Rejected);
    }

    [Fact]
    public void AZoneTheCameraDoesNotSeeKeepsItsAudio()
    {
        var av = With(3, 0.05, 0.1, 0.02);
        // rear-right has no camera region: its keyword stands on the audio alone, and is not rejected.
        Assert.Equal(3, av.AttributeWake([0.1, 0, 0, 0.8], 3, 3));
    }

    [Fact]
    public void WithoutALiveCameraTheAudioDecides()
    {
        var av = With(3, 0.05, 0.9, 0.05);
        av.CameraLive = false;
        Assert.Equal(0, av.AttributeWake([0.7, 0.5, 0, 0], 0, 3));
    }

    [Fact]
    public void OnlyTheWindowBeforeTheWakeWordCounts()
    {
        // The passenger spoke a second ago (before the window); now only the driver's mouth moves.
        var av = new AudioVisualAttribution(Zones, Zones) { CameraLive = true };
        for (var t = 0.0; t <= 4; t += 1 / 15.0)
        {
            av.Observe(0, t, t > 2.9 ? 0.9 : 0.05);
            av.Observe(1, t, t < 2.5 ? 0.9 : 0.05);
        }
        Assert.Equal(0, av.AttributeWake([0.3, 0.6, 0, 0], 1, 4));
        var (speech, reliability) = av.Window(1, 2.8, 4);
        Assert.Equal(0.05, speech, 6);
        Assert.Equal(1, reliability);
    }

    [Fact]
    public void AFaceNotSeenIsNoEvidenceOfSpeech()
    {
        var av = new AudioVisualAttribution(Zones, Zones) { CameraLive = true };
        for (var t = 0.0; t <= 3; t += 1 / 15.0)
        {
            av.Observe(0, t, double.NaN);
            av.Observe(1, t, 0.05);
        }
        Assert.Equal((0, 0), av.Window(0, 1.8, 3));
        Assert.Null(av.AttributeWake([0.9, 0.2, 0, 0], 0, 3));
    }

    [Fact]
    public void AFaceJustFoundDoesNotCountYet()
    {
        // Lips "moving" in a track only 0.5 s old (landmarks settling): no evidence, so the radio is still rejected.
        var av = new AudioVisualAttribution(Zones, Zones) { CameraLive = true };
        for (var t = 0.0; t <= 3; t += 1 / 15.0)
        {
            av.Observe(0, t, t < 2.5 ? double.NaN : 0.9);
            av.Observe(1, t, 0.05);
        }
        Assert.Equal(0, av.Window(0, 2.3, 3).Reliability);
        Assert.Null(av.AttributeWake([0.9, 0.2, 0, 0], 0, 3));
    }
}
