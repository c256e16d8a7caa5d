using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Training;

namespace StepAudio.Automotive.Tests.Training;

/// <summary>The trainer and the exporter on small synthetic problems (the real training is a CLI job, not a test).</summary>
public class HeadTrainerTests
{
    /// <summary>Three classes whose embeddings differ in the mean of a few dimensions, with noise.</summary>
    private static TrainingSet Synthetic(int clipsPerClass, int seed)
    {
        var rng = new Random(seed);
        var clips = new List<ClipFeatures>();
        var windows = new List<LabelledWindow>();
        for (var c = 0; c < 3; c++)
            for (var i = 0; i < clipsPerClass; i++)
            {
                const int rows = 20;
                var e = new float[rows * SpeechEmbedder.Size];
                for (var j = 0; j < e.Length; j++)
                {
                    var dim = j % SpeechEmbedder.Size;
                    e[j] = (float)((rng.NextDouble() * 2) - 1 + (dim == 5 * c ? 2.5 : 0) + (dim == 50 ? 10 : 0));
                }
                windows.Add(new LabelledWindow(clips.Count, EmbeddingExtractor.FirstStep + rows - 1, c));
                clips.Add(new ClipFeatures(e, 0, 0, c > 0));
            }
        return new TrainingSet(clips, windows, 3);
    }

    [Theory]
    [InlineData(1, 0f, 0f)]
    [InlineData(3, 0.3f, 0.1f)]
    public void LearnsASeparableProblemAndKeepsTheBestEpoch(int kernel, float inputNoise, float dropout)
    {
        var train = Synthetic(60, 1);
        var val = Synthetic(20, 2);
        var model = HeadTrainer.Train(new MlpClassifier(8, [16], 3, 1, frameWidth: 4, kernel: kernel), train, val,
            new TrainerOptions { MaxEpochs = 8, EpochSize = 3200, LearningRate = 3e-3, NoneShare = 1.0 / 3, InputNoise = inputNoise, Dropout = dropout }, TextWriter.Null);
        var (_, accuracy) = HeadTrainer.Evaluate(model, val, 1.0 / 3);
        Assert.True(accuracy >= 0.95, $"balanced accuracy {accuracy:P1}");
        // The fitted standardisation sees dimension 50's offset of 10.
        Assert.InRange(model.Mean[50], 9.5, 10.5);
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(4, 0, 1)]
    [InlineData(1, 5, 1)]
    [InlineData(4, 5, 1)]
    [InlineData(1, 5, 3)]
    [InlineData(4, 5, 3)]
    public void ExportedOnnxHeadEqualsTheTrainedModelOnRawEmbeddings(int outputs, int frameWidth, int kernel)
    {
        // Kernel 3: the frame layer is a temporal convolution (ONNX Conv between two Transposes).
        var model = new MlpClassifier(6, [12, 8], outputs, 3, frameWidth, kernel);
        var rng = new Random(4);
        for (var i = 0; i < model.Mean.Length; i++)
        {
            model.Mean[i] = (float)rng.NextDouble();
            model.Scale[i] = (float)(0.5 + rng.NextDouble());
        }
        var path = Path.Combine(TestPaths.NewTempDir(), "head.onnx");
        File.WriteAllBytes(path, HeadExporter.ToOnnx(model, "test", "test head"));
        using var onnx = new OnnxModel(path, new InferenceOptions());
        var input = onnx.Input(HeadExporter.InputName);
        var output = onnx.Output(outputs == 1 ? HeadExporter.ScoreName : HeadExporter.ProbabilitiesName);
        Assert.Equal([1L, 6, SpeechEmbedder.Size], input.Shape);
        var x = new float[6 * SpeechEmbedder.Size];
        for (var i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() * 4) - 2);
        x.CopyTo(input.Floats);
        onnx.Run();

        model.Standardise(x);
        var acts = model.NewActivations();
        model.Forward(x, acts);
        var expected = new float[outputs];
        MlpClassifier.Probabilities(acts[^1], expected);
        for (var j = 0; j < outputs; j++) Assert.Equal(expected[j], output.Floats[j], 4);
    }

    /// <summary>The frame layer's hand-written gradient (a temporal convolution with kernel 3) against finite differences of the loss.</summary>
    [Fact]
    public void TemporalConvolutionGradientMatchesFiniteDifferences()
    {
        var train = Synthetic(2, 7);
        var model = new MlpClassifier(5, [6], 3, 2, frameWidth: 3, kernel: 3);
        var x = new float[5 * SpeechEmbedder.Size];
        train.Input(1, 5, x);
        var (loss, gradient) = HeadTrainer.LossAndGradient(model, x, 2);
        const float h = 1e-2f;
        foreach (var i in new[] { 0, 97, 150, 3 * SpeechEmbedder.Size * 3 - 1 })
        {
            var w = model.Weights[0][i];
            model.Weights[0][i] = w + h;
            var (up, _) = HeadTrainer.LossAndGradient(model, x, 2);
            model.Weights[0][i] = w - h;
            var (down, _) = HeadTrainer.LossAndGradient(model, x, 2);
            model.Weights[0][i] = w;
            Assert.Equal((up - down) / (2 * h), gradient[0][i], 2);
        }
        Assert.True(loss > 0);
    }
}
