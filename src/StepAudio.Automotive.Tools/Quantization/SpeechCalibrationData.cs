using Onnx;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// Calibration inputs for the speech models, made from recordings the way the speech stage makes
/// them: every channel of every recording through the FP32 mel front end (16 kHz, 80 ms steps).
/// The embedding model gets each step's 76-frame mel window (starting from the stage's reset window
/// of ones); a head taking [1, N, 96] gets each step's last N embeddings from the FP32 embedding model.
/// </summary>
public static class SpeechCalibrationData
{
    /// <summary>Samples for <paramref name="model"/> (read from <paramref name="modelName"/>), which must be the embedding model or a head.</summary>
    public static IReadOnlyList<CalibrationSample> For(ModelProto model, string modelName, IReadOnlyList<string> recordings, ModelStore store)
    {
        if (recordings.Count == 0) throw new InvalidInputException(modelName, "no calibration recordings given");
        var inputs = model.Graph.Input.Where(i => !model.Graph.Initializer.Any(t => t.Name == i.Name)).ToList();
        var dims = inputs.Count == 1 ? inputs[0].Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray() : null;
        if (dims is [_, SpeechEmbedder.WindowFrames, MelSpectrogram.Bins, 1])
            return Collect(recordings, store, historyLength: 1, (mel, _) => Sample(inputs[0].Name, mel, [1, SpeechEmbedder.WindowFrames, MelSpectrogram.Bins, 1]));
        if (dims is [_, > 0 and var n, SpeechEmbedder.Size])
            return Collect(recordings, store, (int)n, (_, embedder) => Sample(inputs[0].Name, embedder!.Latest((int)n), [1, n, SpeechEmbedder.Size]));
        var shape = dims is null ? $"{inputs.Count} inputs" : $"input '{inputs[0].Name}' [{string.Join(",", dims)}]";
        throw new InvalidInputException(modelName,
            $"{shape} is neither the embedding model's mel window [N,{SpeechEmbedder.WindowFrames},{MelSpectrogram.Bins},1] nor a head's embedding window [N,L,{SpeechEmbedder.Size}]: there is no speech calibration data for it");
    }

    private static CalibrationSample Sample(string name, ReadOnlySpan<float> values, long[] shape) => new([new CalibrationTensor(name, values.ToArray(), shape)]);

    private static List<CalibrationSample> Collect(IReadOnlyList<string> recordings, ModelStore store, int historyLength, Func<ReadOnlySpan<float>, SpeechEmbedder?, CalibrationSample> take)
    {
        var options = new InferenceOptions();
        using var mel = new MelSpectrogram(store.Require("melspectrogram"), options);
        using var embedder = historyLength > 1 ? new SpeechEmbedder(store.Require("embedding_model"), options, historyLength) : null;
        var samples = new List<CalibrationSample>();
        var window = new float[SpeechEmbedder.WindowFrames * MelSpectrogram.Bins];
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        foreach (var recording in recordings)
        {
            foreach (var channel in Channels(recording))
            {
                mel.Reset();
                embedder?.Reset();
                window.AsSpan().Fill(1f); // the stage's reset window
                samples.Add(take(window, embedder));
                for (var at = 0; at + MelSpectrogram.StepSamples <= channel.Length; at += MelSpectrogram.StepSamples)
                {
                    mel.Step(channel.AsSpan(at, MelSpectrogram.StepSamples), frames);
                    window.AsSpan(frames.Length).CopyTo(window);
                    frames.CopyTo(window.AsSpan(window.Length - frames.Length));
                    embedder?.Step(frames);
                    samples.Add(take(window, embedder));
                }
            }
        }
        return samples;
    }

    /// <summary>Each channel of a recording at 16 kHz, in [-1, 1].</summary>
    private static List<float[]> Channels(string path)
    {
        using var source = new ResampledAudioSource(WavFileSource.Open(path), SpeechSteps.SampleRate);
        var channels = Enumerable.Range(0, source.Channels).Select(_ => new List<float>()).ToList();
        var block = new float[4096 * source.Channels];
        int frames;
        while ((frames = source.Read(block)) > 0)
            for (var f = 0; f < frames; f++)
                for (var c = 0; c < source.Channels; c++) channels[c].Add(block[(f * source.Channels) + c]);
        return [.. channels.Select(c => c.ToArray())];
    }
}
