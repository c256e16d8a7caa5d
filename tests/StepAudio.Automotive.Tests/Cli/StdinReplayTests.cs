using System.Diagnostics;
using System.Text.Json;

namespace StepAudio.Automotive.Tests.Cli;

/// <summary>Runs the real <c>stepaudio</c> binary as a child process, feeding raw PCM through its stdin.</summary>
public class StdinReplayTests
{
    [Fact]
    public async Task RawPcmOnStdinIsReplayed()
    {
        var rng = new Random(9);
        var pcm = new byte[16000 * 4 * 2 * 3 / 2]; // 1.5 s of s16le, 4 channels
        for (var i = 0; i < pcm.Length; i += 2) BitConverter.TryWriteBytes(pcm.AsSpan(i), (short)rng.Next(-800, 800));

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "stepaudio.dll"), "replay", "--cabin", TestPaths.ConsoleCabin, "--audio", "-", "--format", "s16le" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.BaseStream.WriteAsync(pcm);
        p.StandardInput.Close();
        await p.WaitForExitAsync();

        Assert.True(p.ExitCode == 0, await stderr);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("raw:stdin", first.GetProperty("audio").GetProperty("source").GetString());
        var last = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal(1.5, last.GetProperty("streamTime").GetDouble());
    }
}
