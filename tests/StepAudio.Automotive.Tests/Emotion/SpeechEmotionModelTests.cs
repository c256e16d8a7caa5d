using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Tests.Emotion;

public class SpeechEmotionModelTests
{
    private const int Window = 1600;

    [Fact]
    public void ADroppedInModelRunsThroughOnnxRuntimeAndSteersTheVoiceEstimate()
    {
        using var model = new SpeechEmotionModel(Options(WriteModel()), new InferenceOptions());
        Assert.Equal(Window, model.InputLength);
        Assert.Equal(["neutral", "happy", "sad", "angry"], model.Labels);

        // Silence: all logits 0, uniform probabilities.
        var p = model.Classify(new float[Window]).ToArray();
        Assert.All(p, x => Assert.Equal(0.25, x, 4));

        // A constant 0.5 window: the "angry" logit is 10 × mean = 5, the others 0.
        var loud = Enumerable.Repeat(0.5f, Window).ToArray();
        p = model.Classify(loud).ToArray();
        var expected = Math.Exp(5) / (Math.Exp(5) + 3);
        Assert.Equal(expected, p[3], 4);

        var prosody = new VoiceEmotion(0.5, 0.1, 0, 0.8);
        var blended = model.Blend(prosody);
        Assert.Equal(0.3 * 0.1 + 0.7 * expected, blended.Agitation, 4);
        Assert.Equal(0.8, blended.Reliability);
        Assert.True(blended.Arousal > prosody.Arousal);

        // The same buffers are reused: classifying allocates nothing.
        model.Classify(loud);
        var before = GC.GetAllocatedBytesForCurrentThread();
        model.Classify(loud);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AModelThatDoesNotFitTheConfigurationIsNamed()
    {
        var path = WriteModel();
        var wrongLabels = Options(path);
        wrongLabels.Labels = ["calm", "angry", "sad"];
        var e = Assert.Throws<InvalidInputException>(() => new SpeechEmotionModel(wrongLabels, new InferenceOptions()));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        var wrongInput = Options(path);
        wrongInput.InputName = "waveform";
        e = Assert.Throws<InvalidInputException>(() => new SpeechEmotionModel(wrongInput, new InferenceOptions()));
        Assert.Contains("waveform", e.Message, StringComparison.Ordinal);

        var badAgitated = Options(path);
        badAgitated.AgitatedLabels = ["furious"];
        e = Assert.Throws<InvalidInputException>(() => new SpeechEmotionModel(badAgitated, new InferenceOptions()));
        Assert.Contains("furious", e.Message, StringComparison.Ordinal);
    }

    private static SpeechEmotionModelOptions Options(string path) => new() { Path = path, WindowSamples = Window };

    private static string WriteModel()
    {
        var w = new float[Window, 4];
        for (var i = 0; i < Window; i++) w[i, 3] = 10f / Window;
        var path = Path.Combine(TestPaths.NewTempDir(), "tiny-emotion.onnx");
        TinyOnnxClassifier.Write(path, w);
        return path;
    }
}
