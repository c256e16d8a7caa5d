using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests;

/// <summary>Starts the real <c>stepaudio</c> command line as an operator would, on a short silent recording.</summary>
internal static class ServiceStart
{
    /// <summary>Runs the command line with <paramref name="args"/>; its exit code and standard error.</summary>
    public static async Task<(int Code, string Stderr)> Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stderr.ToString());
    }

    /// <summary>4 s of silence from four microphones, <c>in.wav</c> in <paramref name="dir"/> (written once).</summary>
    public static string SilentRecording(string dir)
    {
        var wav = Path.Combine(dir, "in.wav");
        if (!File.Exists(wav)) WavWriter.Write(wav, new float[16000 * 4], 4, 16000);
        return wav;
    }

    /// <summary>
    /// <c>stepaudio run</c> on <see cref="SilentRecording"/> with <paramref name="settings"/> (JSON members of the
    /// <c>StepAudio</c> section, e.g. <c>"Spatial": { "OnsetDb": -3 }</c>); events go to <c>events.jsonl</c> in
    /// <paramref name="dir"/> (a new directory when null).
    /// </summary>
    public static Task<(int Code, string Stderr)> WithSettings(string settings, string? dir = null)
    {
        dir ??= TestPaths.NewTempDir();
        var path = Path.Combine(dir, "settings.json");
        File.WriteAllText(path, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}", "EventsPath": "{{dir}}/events.jsonl",
              "Audio": { "Source": "wav", "Path": "{{SilentRecording(dir)}}", "Realtime": false }, "Mqtt": { "Enabled": false },
              {{settings}} } }
            """);
        return Cli("run", "--config-dir", Path.Combine(dir, "none"), "--config", path);
    }
}
