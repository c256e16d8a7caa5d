namespace StepAudio.Automotive.Tests;

/// <summary>Locates the repository's files from the test binary, and makes scratch directories.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Cabin(string name) => Path.Combine(RepoRoot, "deploy", "cabins", name + ".json");

    public static string ConsoleCabin => Cabin("sedan-console-circular");

    public static string LinearCabin => Cabin("sedan-headliner-linear");

    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "stepaudio-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "StepAudio.Automotive.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
