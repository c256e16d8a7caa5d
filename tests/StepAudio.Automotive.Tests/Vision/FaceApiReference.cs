using System.Diagnostics;
using System.Text.Json;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>
/// Runs face-api itself in Node (FaceApiReference/reference.mjs, its npm dependencies locked in
/// package-lock.json) on the pinned demo photos, once per test class: the decoded pixels and the reference
/// detections the converted ONNX detector must reproduce.
/// </summary>
public sealed class FaceApiReference
{
    public static readonly string[] Photos = ["sample1", "sample2", "sample3", "sample4", "sample5", "sample6"];

    public FaceApiReference()
    {
        var store = TestModels.Store;
        WeightsManifest = store.Require(TinyFaceDetector.WeightsId);
        store.Require(TinyFaceDetector.ShardId);
        var photos = Photos.Select(p => store.Require("face_api_" + p)).ToArray();
        Directory = TestPaths.NewTempDir();
        foreach (var f in new[] { "package.json", "package-lock.json", "reference.mjs" })
            File.Copy(Path.Combine(TestPaths.RepoRoot, "tests", "StepAudio.Automotive.Tests", "Vision", "FaceApiReference", f), Path.Combine(Directory, f));
        Run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
        Run("node", ["reference.mjs", Directory, WeightsManifest, .. photos]);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "reference.json")));
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var faces = p.Value.GetProperty("faces").EnumerateArray()
                .Select(f => new FaceBox(f.GetProperty("x").GetDouble(), f.GetProperty("y").GetDouble(), f.GetProperty("width").GetDouble(), f.GetProperty("height").GetDouble(), f.GetProperty("score").GetDouble()))
                .ToList();
            Images[p.Name] = (p.Value.GetProperty("width").GetInt32(), p.Value.GetProperty("height").GetInt32(), File.ReadAllBytes(Path.Combine(Directory, p.Name + ".rgb")), faces);
            Backend = p.Value.GetProperty("backend").GetString()!;
        }
    }

    public string Directory { get; }
    public string WeightsManifest { get; }
    public string Backend { get; } = "";
    public Dictionary<string, (int Width, int Height, byte[] Rgb, List<FaceBox> Faces)> Images { get; } = [];

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
