using StepAudio.Automotive.Emotion;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Emotion;

[Collection(HeavyAudioCollection.Name)]
public class ProsodyAnalyzerTests
{
    private readonly ITestOutputHelper _out;

    public ProsodyAnalyzerTests(ITestOutputHelper output) => _out = output;

    [Fact]
    public void LouderFasterHigherSpeechScoresClearlyMoreAgitatedThanTheSameTalkerCalm()
    {
        var baseline = ProsodySpeech.Talk(ProsodySpeech.Sentences[..3]);
        var calm = ProsodySpeech.Talk(ProsodySpeech.Sentences[3..]);
        var agitated = ProsodySpeech.Talk(ProsodySpeech.Sentences[3..], amplitude: 120, wordsPerMinute: 230, pitch: 75);

        var (calmMean, calmMax) = AgitationAfter(baseline, calm);
        var (agitatedMean, _) = AgitationAfter(baseline, agitated);
        _out.WriteLine($"calm mean {calmMean:F3} max {calmMax:F3}; agitated mean {agitatedMean:F3}");
        Assert.True(calmMax < 0.4, $"calm continuation peaked at {calmMax:F3}");
        Assert.True(agitatedMean > 0.45, $"agitated mean {agitatedMean:F3}");
        Assert.True(agitatedMean > calmMean + 0.4, $"agitated {agitatedMean:F3} vs calm {calmMean:F3}");
    }

    [Fact]
    public void ANaturallyLoudHighTalkerIsCalmAgainstTheirOwnBaseline()
    {
        // The same settings throughout, just louder and higher than the default: it is this talker's normal.
        var loud = ProsodySpeech.Talk(ProsodySpeech.Sentences, amplitude: 120, pitch: 75);
        var emotions = ProsodySpeech.Run(new ProsodyAnalyzer(), loud);
        var max = emotions.Where(e => e.Reliability > 0).Max(e => e.Agitation);
        _out.WriteLine($"max agitation {max:F3}");
        Assert.True(max < 0.4, $"a naturally loud voice peaked at agitation {max:F3}");
    }

    /// <summary>
    /// Louder and higher each raise arousal on their own. Speaking rate is the weak cue (weight 0.10,
    /// since through a beam in noise its nuclei count is unreliable): faster speech alone must not
    /// lower arousal, no more.
    /// </summary>
    [Fact]
    public void LoudnessAndPitchAloneRaiseArousalAndRateDoesNotLowerIt()
    {
        var baseline = ProsodySpeech.Talk(ProsodySpeech.Sentences[..3]);
        var calmArousal = ArousalAfter(baseline, ProsodySpeech.Talk(ProsodySpeech.Sentences[3..]));
        foreach (var (name, variant) in new[]
        {
            ("louder", ProsodySpeech.Talk(ProsodySpeech.Sentences[3..], amplitude: 150)),
            ("faster", ProsodySpeech.Talk(ProsodySpeech.Sentences[3..], wordsPerMinute: 260)),
            ("higher", ProsodySpeech.Talk(ProsodySpeech.Sentences[3..], pitch: 80)),
        })
        {
            var a = ArousalAfter(baseline, variant);
            _out.WriteLine($"{name}: arousal {a:F3} vs calm {calmArousal:F3}");
            Assert.True(a > calmArousal + (name == "faster" ? -0.02 : 0.02), $"{name}: arousal {a:F3} vs calm {calmArousal:F3}");
        }
    }

    [Fact]
    public void FeaturesMeasureTheSpeech()
    {
        var analyzer = new ProsodyAnalyzer();
        var slow = ProsodySpeech.Talk(ProsodySpeech.Sentences[..2], wordsPerMinute: 130);
        ProsodySpeech.Run(analyzer, slow[..(int)(2.9 * 16000)]);
        var slowRate = analyzer.Features.SyllableRate;
        analyzer.Reset();
        var fast = ProsodySpeech.Talk(ProsodySpeech.Sentences[..2], wordsPerMinute: 260);
        ProsodySpeech.Run(analyzer, fast[..(int)(2.9 * 16000)]);
        var f = analyzer.Features;
        _out.WriteLine($"slow {slowRate:F2} syl/s, fast {f}");
        Assert.True(f.SyllableRate > slowRate * 1.3, $"fast {f.SyllableRate:F2} vs slow {slowRate:F2} syllables/s");
        Assert.InRange(slowRate, 2, 9);
        Assert.InRange(f.PauseRatio, 0, 0.6);
        Assert.True(f.SnrDb > 20);
    }

    /// <summary>
    /// Octave errors and stray frames of another voice (one voiced hop in five an octave up) must not
    /// move the talker's pitch or widen its range: the window keeps the median and quartiles.
    /// </summary>
    [Fact]
    public void StrayPitchFramesDoNotMoveTheMedianPitch()
    {
        var analyzer = new ProsodyAnalyzer();
        var low = PitchTrackerTests.Tone(150, 0.1, 8);
        var high = PitchTrackerTests.Tone(300, 0.1, 8);
        // Silence first, so the noise floor is known; then 0.4 s at 150 Hz and 0.1 s an octave up, repeated.
        Feed(analyzer, new float[8000]);
        for (var block = 0; block < 6; block++)
        {
            for (var i = 0; i < 4; i++) Feed(analyzer, low);
            Feed(analyzer, high);
        }
        var f = analyzer.Features;
        _out.WriteLine($"pitch {f.PitchSemitones:F2} st, range {f.PitchRangeSemitones:F2} st");
        var expected = 12 * Math.Log2(150.0 / 100);
        Assert.InRange(f.PitchSemitones, expected - 0.3, expected + 0.3);
        // A mean would sit 2.4 st higher and a standard deviation would be about 4.8 st.
        Assert.InRange(f.PitchRangeSemitones, 0, 0.5);

        static void Feed(ProsodyAnalyzer analyzer, float[] audio)
        {
            for (var i = 0; i + 160 <= audio.Length; i += 160) analyzer.Process(audio.AsSpan(i, 160));
        }
    }

    [Fact]
    public void SameAudioGivesTheSameScores()
    {
        var audio = ProsodySpeech.Talk(ProsodySpeech.Sentences[..4]);
        var a = ProsodySpeech.Run(new ProsodyAnalyzer(), audio);
        var b = ProsodySpeech.Run(new ProsodyAnalyzer(), audio);
        Assert.Equal(a, b);
    }

    [Fact]
    public void SilenceHasNoOpinion()
    {
        var emotions = ProsodySpeech.Run(new ProsodyAnalyzer(), new float[32000]);
        Assert.All(emotions, e => Assert.Equal(0, e.Reliability));
    }

    [Fact]
    public void ProcessingAllocatesNothing()
    {
        var analyzer = new ProsodyAnalyzer();
        var audio = ProsodySpeech.Talk(ProsodySpeech.Sentences[..1]);
        // Warm up past tiered JIT (tier-0 → tier-1 and on-stack replacement allocate on first use).
        for (var pass = 0; pass < 4; pass++)
            for (var i = 0; i + 160 <= audio.Length; i += 160) analyzer.Process(audio.AsSpan(i, 160));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i + 160 <= audio.Length; i += 160) analyzer.Process(audio.AsSpan(i, 160));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (double Mean, double Max) AgitationAfter(float[] baseline, float[] continuation)
    {
        var analyzer = new ProsodyAnalyzer();
        ProsodySpeech.Run(analyzer, baseline);
        Assert.True(analyzer.BaselineReady, "baseline not learned from the calm part");
        var scored = ProsodySpeech.Run(analyzer, continuation).Where(e => e.Reliability > 0).ToList();
        Assert.NotEmpty(scored);
        return (scored.Average(e => e.Agitation), scored.Max(e => e.Agitation));
    }

    private static double ArousalAfter(float[] baseline, float[] continuation)
    {
        var analyzer = new ProsodyAnalyzer();
        ProsodySpeech.Run(analyzer, baseline);
        return ProsodySpeech.Run(analyzer, continuation).Where(e => e.Reliability > 0).Average(e => e.Arousal);
    }
}
