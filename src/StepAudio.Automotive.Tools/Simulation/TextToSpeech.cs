using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Renders text to 16 kHz mono speech with the espeak-ng or flite command-line synthesizers.
/// Voices are written <c>engine:name</c>: <c>espeak-ng:en-us</c>, <c>espeak-ng:en-gb+f3</c> (a voice
/// with a variant), <c>flite:slt</c>, <c>flite:kal16</c>. Renders are cached as WAV files keyed by
/// every parameter, so a scene rendered twice runs the synthesizers once.
/// </summary>
public sealed class TextToSpeech
{
    public const string DefaultVoice = "espeak-ng:en-us";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static string[]? s_fliteVoices;
    private static HashSet<string>? s_espeakVoices;
    private static HashSet<string>? s_espeakVariants;
    private readonly string _cacheDir;

    public TextToSpeech(string? cacheDirectory = null)
    {
        _cacheDir = cacheDirectory ?? Path.Combine(Path.GetTempPath(), "stepaudio-tts");
    }

    /// <summary>
    /// Speech for <paramref name="text"/> at 16 kHz, as the synthesizer produced it (with its own
    /// leading and trailing silence). <paramref name="rate"/> scales the speaking rate (1 = the voice's
    /// normal), <paramref name="pitch"/> its pitch (1 = normal). A voice or engine that does not exist
    /// is an <see cref="InvalidInputException"/>.
    /// </summary>
    public float[] Render(string text, string voice = DefaultVoice, double rate = 1.0, double pitch = 1.0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (rate is < 0.25 or > 4 || !double.IsFinite(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "must be in [0.25, 4]");
        if (pitch is < 0.25 or > 4 || !double.IsFinite(pitch)) throw new ArgumentOutOfRangeException(nameof(pitch), pitch, "must be in [0.25, 4]");
        var (engine, name) = ParseVoice(voice);
        var key = string.Create(CultureInfo.InvariantCulture, $"{engine}|{name}|{rate:R}|{pitch:R}|{text}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        Directory.CreateDirectory(_cacheDir);
        var path = Path.Combine(_cacheDir, hash + ".wav");
        if (!File.Exists(path))
        {
            // Synthesize beside the cache entry, then rename: concurrent renders never see half a file.
            var temp = Path.Combine(_cacheDir, $"{hash}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp.wav");
            try
            {
                if (engine == "espeak-ng") RunEspeak(name, rate, pitch, text, temp);
                else RunFlite(name, rate, pitch, text, temp);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }
        return LoadMono16k(path);
    }

    /// <summary>Splits <c>engine:name</c>; the engine is <c>espeak-ng</c> (or <c>espeak</c>) or <c>flite</c>.</summary>
    public static (string Engine, string Name) ParseVoice(string voice)
    {
        var colon = voice.IndexOf(':', StringComparison.Ordinal);
        var engine = colon > 0 ? voice[..colon] : "";
        var name = colon > 0 ? voice[(colon + 1)..] : "";
        engine = engine == "espeak" ? "espeak-ng" : engine;
        if (engine is not ("espeak-ng" or "flite") || name.Length == 0 || name.Any(char.IsWhiteSpace))
            throw new InvalidInputException("voice", $"'{voice}' is not engine:name (espeak-ng:en-us, espeak-ng:en-gb+f3, flite:slt, flite:kal16, ...)");
        return (engine, name);
    }

    private static void RunEspeak(string voice, double rate, double pitch, string text, string output)
    {
        // Reading text from stdin, espeak-ng quietly falls back to its default voice for an unknown
        // name: check the voice and its variant against its own lists first.
        s_espeakVoices ??= ListEspeakNames("--voices", variants: false);
        s_espeakVariants ??= ListEspeakNames("--voices=variant", variants: true);
        var plus = voice.IndexOf('+', StringComparison.Ordinal);
        var baseVoice = plus < 0 ? voice : voice[..plus];
        var variant = plus < 0 ? null : voice[(plus + 1)..];
        if (!s_espeakVoices.Contains(baseVoice))
            throw new InvalidInputException("voice", $"espeak-ng has no voice '{baseVoice}' (see espeak-ng --voices; e.g. en-us, en-gb, en-gb-scotland)");
        if (variant is not null && !s_espeakVariants.Contains(variant))
            throw new InvalidInputException("voice", $"espeak-ng has no variant '{variant}' (see espeak-ng --voices=variant; e.g. f3, m3, klatt)");
        // espeak-ng's normal rate is 175 words per minute and its pitch scale is 0-99 around 50.
        var wpm = (int)Math.Round(175 * rate);
        var p = (int)Math.Clamp(Math.Round(50 * pitch), 0, 99);
        Run("espeak-ng", ["-v", voice, "-s", wpm.ToString(CultureInfo.InvariantCulture), "-p", p.ToString(CultureInfo.InvariantCulture), "-w", output, "--stdin"], text, $"espeak-ng voice '{voice}'");
    }

    private static void RunFlite(string voice, double rate, double pitch, string text, string output)
    {
        // flite quietly falls back to its default voice for an unknown name: check the list first.
        s_fliteVoices ??= ListFliteVoices();
        if (!s_fliteVoices.Contains(voice))
            throw new InvalidInputException("voice", $"flite has no voice '{voice}' (it has {string.Join(", ", s_fliteVoices)})");
        Run("flite",
        [
            "-voice", voice,
            "--setf", string.Create(CultureInfo.InvariantCulture, $"duration_stretch={1 / rate:0.####}"),
            "--setf", string.Create(CultureInfo.InvariantCulture, $"f0_shift={pitch:0.####}"),
            "-t", text, "-o", output,
        ], null, $"flite voice '{voice}'");
    }

    /// <summary>Every name espeak-ng accepts from its voice listing: language codes, voice names and file names.</summary>
    private static HashSet<string> ListEspeakNames(string listOption, bool variants)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Run("espeak-ng", [listOption], null, "espeak-ng " + listOption).Split('\n').Skip(1))
        {
            var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cols.Length < 5) continue;
            if (variants)
            {
                names.Add(cols[3]);
                names.Add(cols[4].Replace("!v/", "", StringComparison.Ordinal));
            }
            else
            {
                names.Add(cols[1]);
                names.Add(cols[3]);
                names.Add(cols[4]);
                names.Add(cols[4][(cols[4].LastIndexOf('/') + 1)..]);
            }
        }
        return names;
    }

    private static string[] ListFliteVoices()
    {
        var listing = Run("flite", ["-lv"], null, "flite -lv");
        var colon = listing.IndexOf(':', StringComparison.Ordinal);
        return listing[(colon + 1)..].Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }

    internal static string Run(string program, string[] args, string? stdin, string what)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ToolNotInstalledException($"{program} is not installed or not on PATH ({e.Message}); install the Debian package '{program}'", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                throw new InvalidOperationException($"{what}: {program} did not finish within {Timeout.TotalSeconds} s");
            }
            var err = stderr.GetAwaiter().GetResult().Trim();
            var output = stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
                throw new InvalidInputException("voice", $"{what} failed (exit {process.ExitCode}): {err}");
            return output;
        }
    }

    /// <summary>A WAV file's first channel at 16 kHz (resampled when it is at another rate).</summary>
    public static float[] LoadMono16k(string path)
    {
        using var wav = WavFileSource.Open(path);
        var all = new float[wav.TotalFrames * wav.Channels];
        var read = 0;
        while (read < wav.TotalFrames)
        {
            var n = wav.Read(all.AsSpan(read * wav.Channels));
            if (n == 0) break;
            read += n;
        }
        var mono = new float[read];
        for (var i = 0; i < read; i++) mono[i] = all[i * wav.Channels];
        if (wav.SampleRate == CabinProfile.PipelineSampleRate) return mono;
        var resampler = new PolyphaseResampler(wav.SampleRate, CabinProfile.PipelineSampleRate, 1);
        var output = new float[resampler.MaxOutputFrames(read) + (int)resampler.OutputLength(read)];
        var produced = resampler.Process(mono, output, endOfStream: true);
        return output[..produced];
    }
}
