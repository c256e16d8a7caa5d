using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Keeps the <c>trained</c> section of <c>models/manifest.json</c> in step with the heads just
/// written: path in the repository, SHA-256, size, licence, default build.
/// </summary>
public static class TrainedManifest
{
    public const string Licence = "trained by this project (StepAudio.Automotive); ships in the default build";

    /// <summary>Records <paramref name="file"/> under <paramref name="id"/>; false (and nothing written) when the file is not inside the manifest's repository.</summary>
    public static bool Update(string manifestPath, string id, string file, string purpose)
    {
        var repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, ".."));
        var relative = Path.GetRelativePath(repo, Path.GetFullPath(file)).Replace('\\', '/');
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)) return false;

        var root = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        if (root["trained"] is not JsonArray trained)
        {
            trained = [];
            root["trained"] = trained;
        }
        var bytes = File.ReadAllBytes(file);
        var entry = new JsonObject
        {
            ["id"] = id,
            ["path"] = relative,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["size"] = bytes.Length,
            ["licence"] = Licence,
            ["defaultBuild"] = true,
            ["purpose"] = purpose,
        };
        var existing = trained.Select((n, i) => (n, i)).FirstOrDefault(x => x.n?["id"]?.GetValue<string>() == id);
        if (existing.n is not null) trained[existing.i] = entry;
        else trained.Add((JsonNode)entry);
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(manifestPath, root.ToJsonString(options) + "\n");
        return true;
    }
}
