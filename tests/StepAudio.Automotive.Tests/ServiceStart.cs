using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests;

/// <summary>Starts the real <c>stepaudio run</c> on a short silent recording with extra settings, as an operator would.</summary>
internal static class ServiceStart
{
    /// <summary>
    /// Runs the service with <paramref name="settings"/> (JSON members of the <c>StepAudio</c> section, e.g.
    /// <c>"Spatial": { "OnsetDb": -3 }</c>) and returns its exit code and standard error.
    /// </summary>
    public static async Task<(int Code, string Stderr)> WithSettings(string settings)
    {
        var dir = TestPaths.NewTempDir();
        var wav = Path.Combine(dir, "in.wav");
        WavWriter.Write(wav, new float[16000 * 4], 4, 16000);
        var path = Path.Combine(dir, "settings.json");
        File.WriteAllText(path, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "Audio": { "Source": "wav", "Path": "{{wav}}", "Realtime": false },
              "Mqtt": { "Enabled": false },
              {{settings}} } }
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(["run", "--config-dir", Path.Combine(dir, "none"), "--config", path], stdout, stderr);
        return (code, stderr.ToString());
    }
}
