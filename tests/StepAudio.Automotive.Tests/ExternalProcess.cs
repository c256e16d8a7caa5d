using System.Diagnostics;

namespace StepAudio.Automotive.Tests;

/// <summary>Runs a real command-line tool (systemd-analyze, dotnet, node, ...) to completion.</summary>
internal static class ExternalProcess
{
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
#pragma warning disable xUnit1031 // the process has exited; this only collects its output
        return (p.ExitCode, stdout.Result + stderr);
#pragma warning restore xUnit1031
    }
}
