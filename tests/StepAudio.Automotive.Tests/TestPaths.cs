namespace StepAudio.Automotive.Tests;

/// <summary>Locates the repository's files from the test binary, and makes scratch directories.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Cabin(string name) => Path.Combine(RepoRoot, "deploy", "cabins", name + ".json");

    public static string ConsoleCabin => Cabin("sedan-console-circular");

    public static string LinearCabin => Cabin("sedan-headliner-linear");

    /// <summary>A fresh scratch directory under this test process's own folder, which is deleted when the process ends.</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(RunRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    // Rendered cabins and videos are large (a video scenario is ~30 MB a second): a test run removes its own files
    // at exit and those of earlier runs whose process is gone (killed, crashed). STEPAUDIO_KEEP_TEST_FILES=1 keeps them.
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "stepaudio-tests");
        var keep = Environment.GetEnvironmentVariable("STEPAUDIO_KEEP_TEST_FILES") == "1";
        if (!keep && Directory.Exists(root))
            foreach (var old in Directory.GetDirectories(root))
                if (IsDeadRun(Path.GetFileName(old))) TryDelete(old);
        var run = Path.Combine(root, $"run-{Environment.ProcessId}");
        Directory.CreateDirectory(run);
        if (!keep) AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(run);
        return run;
    });

    private static bool IsDeadRun(string name)
    {
        if (!name.StartsWith("run-", StringComparison.Ordinal) || !int.TryParse(name[4..], out var pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return p.HasExited; }
        catch (ArgumentException) { return true; }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "StepAudio.Automotive.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
