using System.Diagnostics;
using System.Text.Json.Nodes;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Inference;

public class ModelStoreTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string RepoManifest => Path.Combine(TestPaths.RepoRoot, "models", "manifest.json");

    [Fact]
    public void BuiltInManifestIsTheRepositoryOneAndPinsEveryFile()
    {
        var repo = ModelManifest.Load(RepoManifest);
        Assert.Equal(repo.Files.Select(f => (f.Id, f.Sha256)), ModelManifest.BuiltIn.Files.Select(f => (f.Id, f.Sha256)));
        Assert.All(repo.Files, f => Assert.Equal(64, f.Sha256.Length));
        // The non-commercial heads never belong to the default build.
        Assert.All(repo.Files.Where(f => f.Licence.Contains("NC", StringComparison.Ordinal)), f => Assert.False(f.DefaultBuild));
        Assert.True(repo.File("silero_vad_v5").DefaultBuild);
    }

    [Fact]
    public void CacheDirectoryResolutionPrefersTheExplicitOne()
    {
        Assert.Equal("/x/models", ModelStore.ResolveCacheDirectory("/x/models"));
        Assert.EndsWith(Path.Combine("stepaudio", "models"), ModelStore.ResolveCacheDirectory(null), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyOfAnEmptyCacheSaysToFetch()
    {
        var dir = TestPaths.NewTempDir();
        var (code, _, err) = await Run("models", "verify", "--cache", dir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio models fetch", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyNamesACorruptFile()
    {
        var dir = TestPaths.NewTempDir();
        var store = new ModelStore(dir, ModelManifest.BuiltIn);
        foreach (var f in ModelManifest.BuiltIn.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(store.PathOf(f))!);
            File.Copy(TestModels.Path(f.Id), store.PathOf(f));
        }
        Assert.Equal(ExitCodes.Ok, (await Run("models", "verify", "--cache", dir)).Code);

        var vad = store.PathOf(ModelManifest.BuiltIn.File("silero_vad_v5"));
        var bytes = File.ReadAllBytes(vad);
        bytes[bytes.Length / 2] ^= 0x5a;
        File.WriteAllBytes(vad, bytes);
        var (code, _, err) = await Run("models", "verify", "--cache", dir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("silero_vad_v5.onnx", err, StringComparison.Ordinal);
        Assert.Contains("SHA-256 mismatch", err, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => store.Require("silero_vad_v5"));
    }

    [Fact]
    public async Task FetchRefusesAFileWhoseHashDoesNotMatchItsPin()
    {
        var dir = TestPaths.NewTempDir();
        var manifest = JsonNode.Parse(File.ReadAllText(RepoManifest))!;
        var vadPackage = manifest["packages"]!.AsArray().Single(p => (string?)p!["name"] == "@ricky0123/vad-web")!.DeepClone();
        vadPackage["files"]![0]!["sha256"] = new string('0', 64);
        manifest["packages"] = new JsonArray(vadPackage);
        var tampered = Path.Combine(dir, "manifest.json");
        File.WriteAllText(tampered, manifest.ToJsonString());

        var cache = Path.Combine(dir, "cache");
        var (code, _, err) = await Run("models", "fetch", "--cache", cache, "--manifest", tampered, "--default-build");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("dist/silero_vad_v5.onnx", err, StringComparison.Ordinal);
        Assert.Contains("SHA-256 mismatch", err, StringComparison.Ordinal);
        // Nothing unverified is left behind.
        Assert.Empty(Directory.GetFiles(cache, "silero*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task FetchWithoutNpmSaysSo()
    {
        // The real binary with no PATH: npm cannot be found. An empty cache forces a download.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "stepaudio.dll"), "models", "fetch", "--cache", TestPaths.NewTempDir() })
            psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = "";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(ExitCodes.Failure, p.ExitCode);
        Assert.Contains("npm is not installed or not on PATH", await err, StringComparison.Ordinal);
    }
}
