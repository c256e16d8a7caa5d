using System.Diagnostics;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Quantization;

namespace StepAudio.Automotive.Speech.Bench;

/// <summary>
/// FP32 against INT8 on a held-out set (not the demo recording that calibrates): "hey jarvis" from 10
/// espeak-ng voices × 2 rates and 5 flite voices, and 10 other sentences, each with 1 s of silence
/// before and 1.5 s after, at low noise and with white noise at 10 dB SNR. Each clip streams through
/// a whole zone stage (VAD, mel, embedding, pretrained hey_jarvis head, threshold 0.5); the report
/// gives detections, the head's peak score per clip, and the cosine similarity of every embedding.
/// </summary>
internal static class Int8Accuracy
{
    private const int Rate = 16000;

    public static void Run(string? int8Embedding = null, string? wakeHead = null, string? commandHead = null)
    {
        var store = ModelStore.Default();
        var fp32 = BenchModels.For(store, ModelPrecision.Fp32);
        var int8 = int8Embedding is null or "default" ? BenchModels.For(store, ModelPrecision.Int8) : fp32 with { Embedding = int8Embedding };
        var head = wakeHead ?? store.Require("hey_jarvis_v0.1");
        var headInt8 = Path.Combine(Path.GetTempPath(), $"stepaudio-bench-hey_jarvis-{Environment.ProcessId}.int8.onnx");
        SpeechModelQuantization.Quantize(head, [Repo.DemoWav], headInt8, store);

        var clips = Clips();
        var configs = new (string Name, SpeechModelPaths Models, string Head)[] { ("FP32", fp32, head), ("INT8 embedding", int8, head), ("INT8 embedding + head", int8, headInt8) };
        var peaks = new double[configs.Length][];
        var fired = new bool[configs.Length][];
        for (var k = 0; k < configs.Length; k++)
        {
            using var zone = new ZoneSpeech("driver", configs[k].Models, [(configs[k].Head, new WakeWordOptions())], new InferenceOptions());
            peaks[k] = new double[clips.Count];
            fired[k] = new bool[clips.Count];
            for (var c = 0; c < clips.Count; c++)
            {
                zone.Reset();
                var detections = 0;
                void Count(WakeWordDetection _) => detections++;
                zone.WakeWord += Count;
                var peak = 0.0;
                for (var i = 0; i < clips[c].Audio.Length; i += 256)
                {
                    zone.Process(clips[c].Audio.AsSpan(i, Math.Min(256, clips[c].Audio.Length - i)));
                    peak = Math.Max(peak, zone.Heads[0].Score);
                }
                zone.WakeWord -= Count;
                peaks[k][c] = peak;
                fired[k][c] = detections > 0;
            }
        }
        File.Delete(headInt8);

        var positives = clips.Select((c, i) => (c, i)).Where(x => x.c.Positive).Select(x => x.i).ToList();
        var negatives = clips.Select((c, i) => (c, i)).Where(x => !x.c.Positive).Select(x => x.i).ToList();
        Console.WriteLine($"held-out clips: {positives.Count} 'hey jarvis', {negatives.Count} other sentences (low noise and 10 dB SNR white noise)");
        Console.WriteLine("| models | recall | false fires | decisions same as FP32 | mean abs peak-score change | largest |");
        Console.WriteLine("|---|---|---|---|---|---|");
        for (var k = 0; k < configs.Length; k++)
        {
            var same = Enumerable.Range(0, clips.Count).Count(c => fired[k][c] == fired[0][c]);
            var deltas = Enumerable.Range(0, clips.Count).Select(c => Math.Abs(peaks[k][c] - peaks[0][c])).ToList();
            Console.WriteLine($"| {configs[k].Name} | {positives.Count(c => fired[k][c])}/{positives.Count} | {negatives.Count(c => fired[k][c])}/{negatives.Count} | {same}/{clips.Count} | {deltas.Average():F4} | {deltas.Max():F4} |");
        }
        for (var c = 0; c < clips.Count; c++)
            if (fired[1][c] != fired[0][c] || fired[2][c] != fired[0][c])
                Console.WriteLine($"  differs: {clips[c].Name}: peaks {string.Join(" / ", peaks.Select(p => p[c].ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");

        var (mean, min, count) = EmbeddingCosine(store, fp32.Embedding, int8.Embedding, clips);
        Console.WriteLine($"embedding cosine similarity INT8 vs FP32 over {count} steps of the clips: mean {mean:F4}, min {min:F4}");
        if (commandHead is not null) CommandHeadAgreement(store, fp32.Embedding, commandHead, clips);
    }

    /// <summary>A softmax command head FP32 against its INT8 version on the same FP32 embedding windows of the clips.</summary>
    private static void CommandHeadAgreement(ModelStore store, string embedding, string head, List<(string Name, bool Positive, float[] Audio)> clips)
    {
        var int8Head = Path.Combine(Path.GetTempPath(), $"stepaudio-bench-commands-{Environment.ProcessId}.int8.onnx");
        SpeechModelQuantization.Quantize(head, [Repo.DemoWav], int8Head, store);
        var options = new InferenceOptions();
        using var a = new OnnxModel(head, options);
        using var b = new OnnxModel(int8Head, options);
        var window = (int)a.Inputs.Values.Single().Shape[1];
        using var mel = new MelSpectrogram(store.Require("melspectrogram"), options);
        using var embedder = new SpeechEmbedder(embedding, options, window);
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        int same = 0, n = 0;
        double gap = 0, worst = 0;
        foreach (var clip in clips)
        {
            mel.Reset();
            embedder.Reset();
            for (var at = 0; at + MelSpectrogram.StepSamples <= clip.Audio.Length; at += MelSpectrogram.StepSamples)
            {
                mel.Step(clip.Audio.AsSpan(at, MelSpectrogram.StepSamples), frames);
                embedder.Step(frames);
                embedder.Latest(window).CopyTo(a.Inputs.Values.Single().Floats);
                embedder.Latest(window).CopyTo(b.Inputs.Values.Single().Floats);
                a.Run();
                b.Run();
                var p = a.Outputs.Values.Single().Floats;
                var q = b.Outputs.Values.Single().Floats;
                var argP = p.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(p));
                var argQ = q.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(q));
                if (argP == argQ) same++;
                var d = Math.Abs(p[argP] - q[argP]);
                gap += d;
                worst = Math.Max(worst, d);
                n++;
            }
        }
        File.Delete(int8Head);
        Console.WriteLine($"{Path.GetFileName(head)} FP32 vs INT8 over {n} windows of the clips: same top class {same}/{n} ({100.0 * same / n:F1} %), top-class probability change mean {gap / n:F4}, largest {worst:F4}");
    }

    private static (double Mean, double Min, int Count) EmbeddingCosine(ModelStore store, string fp32, string int8, List<(string Name, bool Positive, float[] Audio)> clips)
    {
        var options = new InferenceOptions();
        using var mel = new MelSpectrogram(store.Require("melspectrogram"), options);
        using var a = new SpeechEmbedder(fp32, options, 1);
        using var b = new SpeechEmbedder(int8, options, 1);
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        double sum = 0, min = 1;
        var n = 0;
        foreach (var clip in clips)
        {
            mel.Reset();
            a.Reset();
            b.Reset();
            for (var at = 0; at + MelSpectrogram.StepSamples <= clip.Audio.Length; at += MelSpectrogram.StepSamples)
            {
                mel.Step(clip.Audio.AsSpan(at, MelSpectrogram.StepSamples), frames);
                a.Step(frames);
                b.Step(frames);
                var cos = Cosine(a.Latest(1), b.Latest(1));
                sum += cos;
                min = Math.Min(min, cos);
                n++;
            }
        }
        return (sum / n, min, n);
    }

    private static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double d = 0, nx = 0, ny = 0;
        for (var i = 0; i < x.Length; i++)
        {
            d += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        return d / Math.Sqrt(nx * ny);
    }

    private static List<(string Name, bool Positive, float[] Audio)> Clips()
    {
        string[] espeak = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us+f3", "en-gb+f2", "en-us+m3", "en-gb-x-gbclan", "en-us+f4"];
        string[] flite = ["kal", "kal16", "slt", "rms", "awb"];
        string[] others =
        [
            "turn on the air conditioning", "what is the weather like today", "hey there jamie",
            "navigate home", "play some music", "call the office", "harvest the jars in the garden",
            "hey travis, are you coming", "open the sunroof", "find the nearest charging station",
        ];
        var speech = new List<(string Name, bool Positive, float[] Audio)>();
        foreach (var v in espeak)
            foreach (var wpm in new[] { 140, 175 })
                speech.Add(($"espeak {v} {wpm} wpm", true, Tts("espeak-ng", ["-v", v, "-s", $"{wpm}", "-w", "{out}", "hey jarvis"])));
        foreach (var v in flite) speech.Add(($"flite {v}", true, Tts("flite", ["-voice", v, "-t", "hey jarvis", "-o", "{out}"])));
        for (var i = 0; i < others.Length; i++)
            speech.Add(($"'{others[i]}'", false, i % 3 == 2 ? Tts("flite", ["-voice", "slt", "-t", others[i], "-o", "{out}"]) : Tts("espeak-ng", ["-v", espeak[i], "-w", "{out}", others[i]])));

        var clips = new List<(string Name, bool Positive, float[] Audio)>();
        for (var i = 0; i < speech.Count; i++)
        {
            var (name, positive, s) = speech[i];
            var padded = new float[Rate + s.Length + (Rate * 3 / 2)];
            s.CopyTo(padded, Rate);
            var power = s.Average(v => (double)v * v);
            clips.Add((name + ", low noise", positive, WithNoise(padded, 0.002, i)));
            clips.Add((name + ", 10 dB SNR", positive, WithNoise(padded, Math.Sqrt(power / 10), 1000 + i)));
        }
        return clips;
    }

    private static float[] WithNoise(float[] x, double rms, int seed)
    {
        var rng = new Random(seed);
        var a = rms * Math.Sqrt(3);
        return [.. x.Select(v => (float)(v + (a * ((2 * rng.NextDouble()) - 1))))];
    }

    private static float[] Tts(string program, string[] args)
    {
        var wav = Path.Combine(Path.GetTempPath(), $"stepaudio-bench-tts-{Environment.ProcessId}.wav");
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a == "{out}" ? wav : a);
        using (var p = Process.Start(psi)!)
        {
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
        }
        using var source = new ResampledAudioSource(WavFileSource.Open(wav), Rate);
        var samples = new List<float>();
        var block = new float[4096];
        int read;
        while ((read = source.Read(block)) > 0) samples.AddRange(block.AsSpan(0, read));
        File.Delete(wav);
        return [.. samples];
    }
}

/// <summary>Files of the repository the benchmarks run in.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The committed demo cabin recording: the calibration data, never the evaluation data.</summary>
    public static string DemoWav => Path.Combine(Root, "deploy", "demo", "demo.wav");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StepAudio.Automotive.sln"))) return dir.FullName;
        throw new InvalidOperationException("run the benchmarks inside the repository (StepAudio.Automotive.sln not found above the binary)");
    }
}

/// <summary>The speech models at a precision; INT8 must really be there (the stage would fall back to FP32 and skew the comparison).</summary>
internal static class BenchModels
{
    public static SpeechModelPaths For(ModelStore store, ModelPrecision precision)
    {
        var models = SpeechModelPaths.From(store, precision);
        if (precision == ModelPrecision.Int8 && models.Embedding != SpeechModelPaths.Int8EmbeddingPath(store))
            throw new InvalidOperationException($"{SpeechModelPaths.Int8EmbeddingPath(store)} is missing: run `stepaudio models fetch` first");
        return models;
    }
}
