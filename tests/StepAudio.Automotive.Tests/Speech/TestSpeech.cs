using System.Diagnostics;
using StepAudio.Automotive.Audio;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>Real TTS speech (espeak-ng, flite) rendered to 16 kHz mono floats through the project's WAV reader and resampler.</summary>
internal static class TestSpeech
{
    public const int Rate = 16000;

    /// <summary>espeak-ng voice (e.g. <c>en-us</c>, <c>en-gb+f3</c>) speaking <paramref name="text"/>.</summary>
    public static float[] Espeak(string text, string voice = "en-us", int wordsPerMinute = 160, int pitch = 50) =>
        Render("espeak-ng", ["-v", voice, "-s", wordsPerMinute.ToString(), "-p", pitch.ToString(), "-w", "{out}", text]);

    /// <summary>flite voice (<c>kal</c>, <c>kal16</c>, <c>slt</c>, <c>rms</c>, <c>awb</c>) speaking <paramref name="text"/>.</summary>
    public static float[] Flite(string text, string voice = "slt") =>
        Render("flite", ["-voice", voice, "-t", text, "-o", "{out}"]);

    private static float[] Render(string program, string[] args)
    {
        var dir = TestPaths.NewTempDir();
        var wav = Path.Combine(dir, "speech.wav");
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a == "{out}" ? wav : a);
        using (var p = Process.Start(psi)!)
        {
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 || !File.Exists(wav)) throw new InvalidOperationException($"{program} failed: {err}");
        }
        using var source = new ResampledAudioSource(WavFileSource.Open(wav), Rate);
        var samples = new List<float>();
        var block = new float[4096];
        int n;
        while ((n = source.Read(block)) > 0) samples.AddRange(block.AsSpan(0, n));
        return [.. samples];
    }

    /// <summary>Silence of the given length.</summary>
    public static float[] Silence(double seconds) => new float[(int)(seconds * Rate)];

    /// <summary>White noise with a fixed seed at the given RMS.</summary>
    public static float[] Noise(double seconds, double rms, int seed)
    {
        var rng = new Random(seed);
        var x = new float[(int)(seconds * Rate)];
        var a = rms * Math.Sqrt(3);
        for (var i = 0; i < x.Length; i++) x[i] = (float)(a * ((2 * rng.NextDouble()) - 1));
        return x;
    }

    public static float[] Concat(params float[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Adds noise at the given RMS over the whole signal (fixed seed).</summary>
    public static float[] WithNoise(float[] x, double rms, int seed)
    {
        var n = Noise((double)x.Length / Rate, rms, seed);
        var y = new float[x.Length];
        for (var i = 0; i < x.Length; i++) y[i] = x[i] + n[i];
        return y;
    }
}
