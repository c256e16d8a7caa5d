using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Quantization;

/// <summary>
/// Quantizes a speech model (the embedding model or a head) to INT8 QDQ, calibrated on recordings
/// through the speech stage's own feature path; and, at <c>stepaudio models fetch</c> time, the
/// pinned embedding model into the cache. The pins cover the float model and the calibration audio
/// is built in, so the INT8 file needs no pin of its own and is never committed.
/// </summary>
public static class SpeechModelQuantization
{
    private const string CalibrationResource = "StepAudio.Automotive.Tools.Quantization.calibration.wav";

    /// <summary>
    /// The embedding model's settings, chosen on the held-out clips of the speech bench's `int8-accuracy`:
    /// activation ranges at the 99.99th percentile of magnitudes, the first convolution (the raw mel input)
    /// and the last (the embedding itself) left in float. Everything quantized with max-abs ranges moved
    /// 4 of 70 wake-word decisions; these settings move none (README, INT8).
    /// </summary>
    public static QuantizationSettings EmbeddingSettings { get; } = new(99.99, new HashSet<string>(StringComparer.Ordinal) { "model/conv2d/Conv2D", "model/conv2d_19/Conv2D" });

    /// <summary>Quantizes <paramref name="modelPath"/> into <paramref name="outPath"/>; returns what was done, for the log.</summary>
    public static QuantizationSummary Quantize(string modelPath, IReadOnlyList<string> recordings, string outPath, ModelStore store, QuantizationSettings? settings = null)
    {
        settings ??= new QuantizationSettings();
        var samples = SpeechCalibrationData.For(QdqQuantizer.Load(modelPath), modelPath, recordings, store);
        return QdqQuantizer.QuantizeFile(modelPath, samples, outPath, settings);
    }

    /// <summary>
    /// Writes the INT8 embedding model beside the installed pinned one, calibrated on the built-in demo
    /// cabin recording (all four microphones); nothing when the float models are not installed.
    /// </summary>
    public static string? QuantizeInstalledEmbedding(ModelStore store, TextWriter log)
    {
        if (!store.Manifest.Files.Any(f => f.Id == "embedding_model")) return null;
        if (!store.Check(store.Manifest.File("embedding_model")).Ok || !store.Check(store.Manifest.File("melspectrogram")).Ok) return null;
        var wav = Path.Combine(Path.GetTempPath(), $"stepaudio-calibration-{Environment.ProcessId}.wav");
        try
        {
            using (var resource = typeof(SpeechModelQuantization).Assembly.GetManifestResourceStream(CalibrationResource)
                ?? throw new InvalidOperationException("the built-in calibration recording is missing from the assembly"))
            using (var file = File.Create(wav))
                resource.CopyTo(file);
            var target = SpeechModelPaths.Int8EmbeddingPath(store);
            var summary = Quantize(store.Require("embedding_model"), [wav], target, store, EmbeddingSettings);
            log.WriteLine($"embedding_model: quantized to INT8 {target} ({summary})");
            return target;
        }
        finally
        {
            File.Delete(wav);
        }
    }
}
