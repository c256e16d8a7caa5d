using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// The runtime's features for a whole clip: openWakeWord's mel front end step by step (exactly as
/// <see cref="MelSpectrogram"/> streams it), then one 96-dim embedding per 80 ms step over the last 76
/// mel frames, as <see cref="SpeechEmbedder"/> computes them, but run in batches. Steps before
/// <see cref="FirstStep"/> would still see the embedder's start-up frames, so they are not computed:
/// clips start with enough noise that the first computed window is all real audio.
/// </summary>
public sealed class EmbeddingExtractor : IDisposable
{
    /// <summary>The first step whose 76-frame window holds only real frames (8 frames per step).</summary>
    public const int FirstStep = (SpeechEmbedder.WindowFrames + MelSpectrogram.FramesPerStep - 1) / MelSpectrogram.FramesPerStep - 1;

    private const int Batch = 16;
    private const int StepValues = MelSpectrogram.FramesPerStep * MelSpectrogram.Bins;
    private const int WindowValues = SpeechEmbedder.WindowFrames * MelSpectrogram.Bins;

    private readonly MelSpectrogram _mel;
    private readonly OnnxModel _embedding;
    private readonly OnnxTensor _windows;
    private readonly OnnxTensor _embeddings;

    public EmbeddingExtractor(ModelStore store)
    {
        var inference = new InferenceOptions();
        _mel = new MelSpectrogram(store.Require("melspectrogram"), inference);
        _embedding = new OnnxModel(store.Require("embedding_model"), inference, new Dictionary<string, long[]>
        {
            ["input_1"] = [Batch, SpeechEmbedder.WindowFrames, MelSpectrogram.Bins, 1],
            ["conv2d_19"] = [Batch, 1, 1, SpeechEmbedder.Size],
        });
        _windows = _embedding.Input("input_1");
        _embeddings = _embedding.Output("conv2d_19");
    }

    /// <summary>Steps in a clip of <paramref name="samples"/> samples (a partial last step is dropped).</summary>
    public static int Steps(int samples) => samples / MelSpectrogram.StepSamples;

    /// <summary>The step at whose end sample <paramref name="sample"/> has been heard.</summary>
    public static int StepOf(int sample) => sample / MelSpectrogram.StepSamples;

    /// <summary>Embeddings of steps <see cref="FirstStep"/>.. of the clip, [(steps − FirstStep) × 96].</summary>
    public float[] Compute(float[] audio)
    {
        var steps = Steps(audio.Length);
        if (steps <= FirstStep) throw new ArgumentException($"a clip needs more than {FirstStep} steps of audio", nameof(audio));
        // The embedder starts from frames of ones (openWakeWord's start-up state), then slides in 8 per step.
        var frames = new float[WindowValues + (steps * StepValues)];
        frames.AsSpan(0, WindowValues).Fill(1f);
        _mel.Reset();
        for (var k = 0; k < steps; k++)
            _mel.Step(audio.AsSpan(k * MelSpectrogram.StepSamples, MelSpectrogram.StepSamples), frames.AsSpan(WindowValues + (k * StepValues), StepValues));

        var count = steps - FirstStep;
        var result = new float[count * SpeechEmbedder.Size];
        for (var first = 0; first < count; first += Batch)
        {
            var n = Math.Min(Batch, count - first);
            for (var b = 0; b < n; b++)
            {
                // Step k's window ends after its 8 new frames: frames [(k + 1) * 8, (k + 1) * 8 + 76).
                var k = FirstStep + first + b;
                frames.AsSpan((k + 1) * StepValues, WindowValues).CopyTo(_windows.Floats.Slice(b * WindowValues, WindowValues));
            }
            _embedding.Run();
            _embeddings.Floats[..(n * SpeechEmbedder.Size)].CopyTo(result.AsSpan(first * SpeechEmbedder.Size));
        }
        return result;
    }

    public void Dispose()
    {
        _mel.Dispose();
        _embedding.Dispose();
    }
}
