using System.Globalization;
using System.Text.RegularExpressions;

namespace StepAudio.Automotive.Tests.Deployment;

/// <summary>
/// The files the integration team installs into the vehicle image, checked with systemd's own tools,
/// and the self-contained publish for the head unit (linux-arm64) and the bench (linux-x64).
/// </summary>
public sealed partial class DeploymentTests
{
    private static string Deploy(params string[] parts) => Path.Combine([TestPaths.RepoRoot, "deploy", .. parts]);

    [Fact]
    public void UnitFilePassesSystemdVerify()
    {
        // verify insists that ExecStart exists: point it at this build's stepaudio apphost.
        var dir = TestPaths.NewTempDir();
        var apphost = Path.Combine(AppContext.BaseDirectory, "stepaudio");
        Assert.True(File.Exists(apphost), "stepaudio apphost missing beside the tests");
        var unit = Path.Combine(dir, "stepaudio.service");
        File.WriteAllText(unit, File.ReadAllText(Deploy("systemd", "stepaudio.service")).Replace("/opt/stepaudio/stepaudio", apphost, StringComparison.Ordinal));

        var (code, output) = ExternalProcess.Run("systemd-analyze", "verify", unit);
        Assert.True(code == 0 && output.Trim().Length == 0, output);
    }

    [Fact]
    public void UnitExposureIsAtMostTwo()
    {
        var (code, output) = ExternalProcess.Run("systemd-analyze", "security", "--offline=true", "--threshold=20", Deploy("systemd", "stepaudio.service"));
        var m = ExposureLine().Match(output);
        Assert.True(m.Success, output);
        var exposure = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure}\n{output}");
        Assert.Equal(0, code);
    }

    [Fact]
    public void SysusersAndTmpfilesCreateTheUserAndItsStateDirectories()
    {
        var root = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "group"), "audio:x:29:\nvideo:x:44:\n");
        foreach (var kind in new[] { "sysusers.d", "tmpfiles.d" })
        {
            var target = Directory.CreateDirectory(Path.Combine(root, "usr", "lib", kind)).FullName;
            File.Copy(Deploy(kind, "stepaudio.conf"), Path.Combine(target, "stepaudio.conf"));
        }

        var sysusers = ExternalProcess.Run("systemd-sysusers", "--root=" + root);
        Assert.True(sysusers.Code == 0, sysusers.Output);
        var passwd = File.ReadAllText(Path.Combine(root, "etc", "passwd"));
        Assert.Matches(@"(?m)^stepaudio:x:\d+:\d+:[^:]*:/var/lib/stepaudio:/usr/sbin/nologin$", passwd);
        var group = File.ReadAllLines(Path.Combine(root, "etc", "group"));
        foreach (var g in new[] { "audio", "video", "gpio" })
            Assert.Contains(group, l => l.StartsWith(g + ":", StringComparison.Ordinal) && l.Split(':')[3].Split(',').Contains("stepaudio"));

        var tmpfiles = ExternalProcess.Run("systemd-tmpfiles", "--root=" + root, "--create");
        Assert.True(tmpfiles.Code == 0, tmpfiles.Output);
        foreach (var d in new[] { "var/lib/stepaudio", "var/cache/stepaudio" })
        {
            var info = new DirectoryInfo(Path.Combine(root, d));
            Assert.True(info.Exists, d);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, info.UnixFileMode);
        }
    }

    [Theory]
    [InlineData("linux-arm64", 0xB7)] // EM_AARCH64
    [InlineData("linux-x64", 0x3E)]   // EM_X86_64
    public void PublishesSelfContainedForTheHeadUnitAndTheBench(string rid, int elfMachine)
    {
        var output = TestPaths.NewTempDir();
        var (code, log) = ExternalProcess.Run(
            "dotnet", "publish", Path.Combine(TestPaths.RepoRoot, "src", "StepAudio.Automotive.Service"),
            "-c", "Release", "-r", rid, "--self-contained", "-p:PublishReadyToRun=true", "-o", output, "-nologo");
        Assert.True(code == 0, log);
        var apphost = File.ReadAllBytes(Path.Combine(output, "stepaudio"));
        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], apphost[..4]);
        Assert.Equal(elfMachine, BitConverter.ToUInt16(apphost, 18));
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex ExposureLine();

    [Fact]
    public void NativeAotBuildRunsThePipelineWithOnnxRuntimeAndHasNoTrimWarnings()
    {
        _ = TestModels.HeyJarvis; // the replay below loads the speech models
        var output = TestPaths.NewTempDir();
        var (code, log) = ExternalProcess.Run(
            "dotnet", "publish", Path.Combine(TestPaths.RepoRoot, "src", "StepAudio.Automotive.Service"),
            "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo");
        Assert.True(code == 0, log);
        Assert.DoesNotContain("warning IL", log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "stepaudio.dll")), "not a native build");

        var events = Path.Combine(output, "demo.jsonl");
        var (replayCode, replayLog) = ExternalProcess.Run(
            Path.Combine(output, "stepaudio"), "replay", "--cabin", TestPaths.ConsoleCabin,
            "--audio", Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.wav"), "--wake-head", "hey_jarvis_v0.1", "--events", events);
        Assert.True(replayCode == 0, replayLog);
        Assert.Equal(3, File.ReadLines(events).Count(l => l.Contains("\"type\":\"wake\"", StringComparison.Ordinal)));
    }
}
