using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Tests.Emotion;

[Collection(HeavyAudioCollection.Name)]
public class CalmTalkerTests
{
    /// <summary>
    /// Calm talkers with ordinary variation from sentence to sentence (rate ±8 %, pitch ±7 steps,
    /// level ±2.5 dB, seeded) never escalate and are never labelled agitated.
    /// </summary>
    [Theory]
    [InlineData("en-us", 1)]
    [InlineData("en-gb+f3", 2)]
    [InlineData("en-us+m3", 3)]
    public void CalmTalkerWithNaturalVariationNeverEscalates(string voice, int seed)
    {
        var rng = new Random(seed);
        var audio = new List<float>();
        for (var round = 0; round < 2; round++)
            foreach (var s in ProsodySpeech.Sentences)
            {
                var wpm = 160 + rng.Next(-13, 14);
                var pitch = 45 + rng.Next(-7, 8);
                var amplitude = (int)Math.Round(60 * Math.Pow(10, rng.Next(-25, 26) / 200.0));
                audio.AddRange(ProsodySpeech.Espeak(s, amplitude, wpm, pitch, voice));
                audio.AddRange(new float[rng.Next(3000, 12000)]);
            }

        var prosody = new ProsodyAnalyzer();
        var fusion = new SeatEmotionFusion("driver");
        var policy = new EscalationPolicy();
        var escalations = new List<EscalationEvent>();
        var labels = new HashSet<string>();
        var maxAgitation = 0.0;
        for (var i = 0; i + 160 <= audio.Count; i += 160)
        {
            var now = (i + 160) / 16000.0;
            prosody.Process(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(audio).Slice(i, 160));
            fusion.Voice(prosody.Emotion, now);
            if (fusion.Emit(now) is { } e) labels.Add(e.Label);
            var fused = fusion.Fuse(now);
            maxAgitation = Math.Max(maxAgitation, fused.Agitation);
            if (policy.OnEmotion("driver", fused, now) is { } x) escalations.Add(x);
        }
        Assert.True(audio.Count > 16000 * 30, "too little speech for the test to mean anything");
        Assert.Empty(escalations);
        Assert.DoesNotContain("agitated", labels);
        Assert.True(maxAgitation < 0.5, $"{voice}: agitation peaked at {maxAgitation:F3}");
    }
}
