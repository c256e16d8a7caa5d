using StepAudio.Automotive.Emotion;

namespace StepAudio.Automotive.Tests.Emotion;

public class PitchTrackerTests
{
    [Theory]
    [InlineData(70.0)]
    [InlineData(110.0)]
    [InlineData(196.0)]
    [InlineData(310.0)]
    [InlineData(470.0)]
    public void PureAndHarmonicTonesAreTrackedWithinHalfAPercent(double hz)
    {
        foreach (var harmonics in new[] { 1, 8 })
        {
            var tracker = new PitchTracker();
            var estimates = Track(tracker, Tone(hz, 1.0, harmonics));
            // Skip the first 50 ms while the history fills.
            foreach (var f in estimates.Skip(5))
            {
                Assert.True(f > 0, $"{hz} Hz x{harmonics}: unvoiced");
                Assert.InRange(f, hz * 0.995, hz * 1.005);
            }
        }
    }

    [Fact]
    public void NoiseAndSilenceAreUnvoiced()
    {
        var rng = new Random(7);
        var noise = new float[16000];
        for (var i = 0; i < noise.Length; i++) noise[i] = (float)(rng.NextDouble() * 0.2 - 0.1);
        var voicedNoise = Track(new PitchTracker(), noise).Skip(5).Count(f => f > 0);
        Assert.True(voicedNoise <= 2, $"{voicedNoise} of 95 noise hops called voiced");
        Assert.All(Track(new PitchTracker(), new float[16000]), f => Assert.Equal(0, f));
    }

    [Fact]
    public void EspeakPitchSettingMovesTheMeasuredPitchAsTheVoiceDoes()
    {
        // espeak-ng's -p shifts the voice's base pitch; measured medians must be in the male speaking range and ordered.
        const string text = "The quick brown fox jumps over the lazy dog.";
        var medians = new[] { 20, 50, 80 }.Select(p => Median(Track(new PitchTracker(), ProsodySpeech.Espeak(text, pitch: p)).Where(f => f > 0))).ToArray();
        Assert.InRange(medians[1], 85, 170);
        Assert.True(medians[0] < medians[1] && medians[1] < medians[2], string.Join(", ", medians));
        // 30 pitch steps are well over two semitones each way.
        Assert.True(12 * Math.Log2(medians[2] / medians[1]) > 2, string.Join(", ", medians));
        Assert.True(12 * Math.Log2(medians[1] / medians[0]) > 2, string.Join(", ", medians));

        var female = Median(Track(new PitchTracker(), ProsodySpeech.Espeak(text, voice: "en-us+f3")).Where(f => f > 0));
        Assert.True(female > medians[1] * 1.4, $"female voice {female:F0} Hz vs male {medians[1]:F0} Hz");
    }

    [Fact]
    public void HopOfWrongLengthIsRejected()
    {
        var tracker = new PitchTracker();
        Assert.Throws<ArgumentException>(() => tracker.Process(new float[100]));
    }

    internal static float[] Tone(double hz, double seconds, int harmonics)
    {
        var x = new float[(int)(seconds * 16000)];
        for (var i = 0; i < x.Length; i++)
        {
            double s = 0;
            for (var h = 1; h <= harmonics && h * hz < 7800; h++) s += Math.Sin(2 * Math.PI * hz * h * i / 16000) / h;
            x[i] = (float)(0.3 * s);
        }
        return x;
    }

    private static List<double> Track(PitchTracker tracker, float[] audio)
    {
        var result = new List<double>();
        for (var i = 0; i + PitchTracker.Hop <= audio.Length; i += PitchTracker.Hop)
        {
            tracker.Process(audio.AsSpan(i, PitchTracker.Hop));
            result.Add(tracker.Frequency);
        }
        return result;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        Assert.NotEmpty(v);
        return v[v.Length / 2];
    }
}
