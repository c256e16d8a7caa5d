using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tests.Speech;

public class SileroVadTests
{
    private static float[] Probabilities(SileroVad vad, float[] audio)
    {
        var p = new float[audio.Length / SileroVad.ChunkSamples];
        for (var i = 0; i < p.Length; i++)
            p[i] = vad.Process(audio.AsSpan(i * SileroVad.ChunkSamples, SileroVad.ChunkSamples));
        return p;
    }

    [Fact]
    public void DetectsEspeakSpeechAndNotTheSilenceOrNoiseAroundIt()
    {
        var speech = TestSpeech.Espeak("turn on the air conditioning and open the sunroof please");
        // 1.5 s silence, 1.5 s low noise (-50 dBFS), speech over the same noise, 2 s noise.
        var audio = TestSpeech.Concat(
            TestSpeech.Silence(1.5),
            TestSpeech.Noise(1.5, 0.003, seed: 1),
            TestSpeech.WithNoise(speech, 0.003, seed: 2),
            TestSpeech.Noise(2.0, 0.003, seed: 3));
        using var vad = new SileroVad(TestModels.Vad, new InferenceOptions());
        var p = Probabilities(vad, audio);

        var chunk = (double)SileroVad.ChunkSamples / TestSpeech.Rate;
        int At(double seconds) => (int)(seconds / chunk);
        var speechStart = At(3.0);
        var speechEnd = At(3.0 + ((double)speech.Length / TestSpeech.Rate));
        var before = p[..speechStart];
        var during = p[speechStart..speechEnd];
        var after = p[(speechEnd + At(0.5))..];

        Assert.All(before, x => Assert.True(x < 0.3, $"silence/noise before speech scored {x:F2}"));
        Assert.All(after, x => Assert.True(x < 0.3, $"noise after speech scored {x:F2}"));
        var voiced = during.Count(x => x >= 0.5) / (double)during.Length;
        Assert.True(voiced > 0.6, $"only {voiced:P0} of speech chunks detected");
    }

    [Fact]
    public void StateIsCarriedAndResetRestoresIt()
    {
        var audio = TestSpeech.Concat(TestSpeech.Espeak("hello there, how are you"), TestSpeech.Silence(1.0));
        using var vad = new SileroVad(TestModels.Vad, new InferenceOptions());
        var speech = audio.AsSpan(0, audio.Length - TestSpeech.Rate);
        var sawSpeech = false;
        for (var i = 0; i + SileroVad.ChunkSamples <= speech.Length; i += SileroVad.ChunkSamples)
        {
            vad.Process(speech.Slice(i, SileroVad.ChunkSamples));
            sawSpeech |= vad.IsSpeech;
        }
        Assert.True(sawSpeech);
        vad.Reset();
        var first = Probabilities(vad, audio);
        // After a second of silence the hangover has run out and the gate is closed again.
        Assert.False(vad.IsSpeech);
        vad.Reset();
        Assert.False(vad.IsSpeech);
        Assert.Equal(first, Probabilities(vad, audio));
    }

    [Fact]
    public void RejectsChunksOfTheWrongLength()
    {
        using var vad = new SileroVad(TestModels.Vad, new InferenceOptions());
        Assert.Throws<ArgumentException>(() => vad.Process(new float[480]));
    }
}
