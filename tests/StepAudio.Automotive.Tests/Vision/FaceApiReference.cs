using System.Diagnostics;
using System.Text.Json;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>
/// Runs face-api itself in Node (FaceApiReference/reference.mjs, its npm dependencies locked in
/// package-lock.json) on the pinned demo photos, once per test class: the decoded pixels and the reference
/// detections, landmarks, aligned boxes and expressions the converted ONNX nets must reproduce.
/// </summary>
public sealed class FaceApiReference
{
    /// <summary>The test collection that shares one Node run among the face-net test classes.</summary>
    public const string Collection = "face-api reference";

    public static readonly string[] Photos = ["sample1", "sample2", "sample3", "sample4", "sample5", "sample6"];

    public FaceApiReference()
    {
        var store = TestModels.Store;
        WeightsManifest = store.Require(TinyFaceDetector.WeightsId);
        store.Require(TinyFaceDetector.ShardId);
        foreach (var id in new[] { FaceLandmarker.WeightsId, FaceLandmarker.ShardId, ExpressionClassifier.WeightsId, ExpressionClassifier.ShardId })
            store.Require(id);
        var photos = Photos.Select(p => store.Require("face_api_" + p)).ToArray();
        Directory = TestPaths.NewTempDir();
        foreach (var f in new[] { "package.json", "package-lock.json", "reference.mjs" })
            File.Copy(Path.Combine(TestPaths.RepoRoot, "tests", "StepAudio.Automotive.Tests", "Vision", "FaceApiReference", f), Path.Combine(Directory, f));
        Run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        Run("node", ["reference.mjs", Directory, WeightsManifest, .. photos]);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "reference.json")));
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var faces = p.Value.GetProperty("faces").EnumerateArray().Select(f => new ReferenceFace(
                    Box(f, f.GetProperty("score").GetDouble()),
                    f.GetProperty("landmarks").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                    Box(f.GetProperty("aligned"), 0),
                    f.GetProperty("expressions").EnumerateArray().Select(v => v.GetDouble()).ToArray()))
                .ToList();
            Faces[p.Name] = faces;
            Images[p.Name] = (p.Value.GetProperty("width").GetInt32(), p.Value.GetProperty("height").GetInt32(), File.ReadAllBytes(Path.Combine(Directory, p.Name + ".rgb")), faces.Select(f => f.Box).ToList());
            Backend = p.Value.GetProperty("backend").GetString()!;
        }
    }

    public string Directory { get; }
    public string WeightsManifest { get; }
    public string Backend { get; } = "";
    public Dictionary<string, (int Width, int Height, byte[] Rgb, List<FaceBox> Faces)> Images { get; } = [];

    /// <summary>Per photo, what face-api found for each face: detection, 68 landmarks (x, y interleaved), aligned box, 7 expression probabilities.</summary>
    public Dictionary<string, List<ReferenceFace>> Faces { get; } = [];

    private static FaceBox Box(JsonElement b, double score) =>
        new(b.GetProperty("x").GetDouble(), b.GetProperty("y").GetDouble(), b.GetProperty("width").GetDouble(), b.GetProperty("height").GetDouble(), score);

    private void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr[^Math.Min(stderr.Length, 2000)..]}");
        _ = stdout.GetAwaiter().GetResult();
    }
}

public sealed record ReferenceFace(FaceBox Box, double[] Landmarks, FaceBox Aligned, double[] Expressions);

[CollectionDefinition(FaceApiReference.Collection)]
public sealed class FaceApiReferenceCollection : ICollectionFixture<FaceApiReference>;
