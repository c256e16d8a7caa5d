using System.Collections.Concurrent;
using System.Diagnostics;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Emotion;

namespace StepAudio.Automotive.Tests.Emotion;

/// <summary>espeak-ng speech with explicit amplitude (-a), rate (-s) and pitch (-p), and helpers to run it through the analyzer.</summary>
internal static class ProsodySpeech
{
    public const string Calm = "calm";

    public static readonly string[] Sentences =
    [
        "Could you please set the temperature to twenty one degrees.",
        "I would like to listen to some music from the radio now.",
        "How long is it until we reach the next charging station.",
        "Please turn on the seat heating for the passenger side.",
        "Navigate to the office and avoid the motorway if possible.",
        "Can you read me the last message from my sister.",
    ];

    private static readonly ConcurrentDictionary<string, float[]> Cache = new();

    /// <summary>espeak-ng defaults are -a 100 -s 175 -p 50.</summary>
    public static float[] Espeak(string text, int amplitude = 60, int wordsPerMinute = 160, int pitch = 45, string voice = "en-us") =>
        Cache.GetOrAdd($"{voice}|{amplitude}|{wordsPerMinute}|{pitch}|{text}", _ =>
            Render(["-v", voice, "-a", amplitude.ToString(), "-s", wordsPerMinute.ToString(), "-p", pitch.ToString(), "-w", "{out}", text]));

    /// <summary>The sentences one after another with 0.4 s pauses at 160 words a minute (shorter when faster).</summary>
    public static float[] Talk(IEnumerable<string> sentences, int amplitude = 60, int wordsPerMinute = 160, int pitch = 45, string voice = "en-us")
    {
        var all = new List<float>();
        foreach (var s in sentences)
        {
            all.AddRange(Espeak(s, amplitude, wordsPerMinute, pitch, voice));
            all.AddRange(new float[6400 * 160 / wordsPerMinute]);
        }
        return [.. all];
    }

    /// <summary>Feeds whole hops; returns the per-hop voice emotion.</summary>
    public static List<VoiceEmotion> Run(ProsodyAnalyzer analyzer, float[] audio)
    {
        var result = new List<VoiceEmotion>();
        for (var i = 0; i + ProsodyAnalyzer.Hop <= audio.Length; i += ProsodyAnalyzer.Hop)
        {
            analyzer.Process(audio.AsSpan(i, ProsodyAnalyzer.Hop));
            result.Add(analyzer.Emotion);
        }
        return result;
    }

    private static float[] Render(string[] args)
    {
        var dir = TestPaths.NewTempDir();
        var wav = Path.Combine(dir, "speech.wav");
        var psi = new ProcessStartInfo("espeak-ng") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a == "{out}" ? wav : a);
        using (var p = Process.Start(psi)!)
        {
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || !File.Exists(wav)) throw new InvalidOperationException($"espeak-ng failed: {err}");
        }
        using var source = new ResampledAudioSource(WavFileSource.Open(wav), 16000);
        var samples = new List<float>();
        var block = new float[4096];
        int n;
        while ((n = source.Read(block)) > 0) samples.AddRange(block.AsSpan(0, n));
        Directory.Delete(dir, recursive: true);
        return [.. samples];
    }
}
