using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// The voices the heads are trained on: espeak-ng's English voices with its voice variants, and
/// flite's kal, kal16 and slt. flite awb and rms (<see cref="ScenarioGenerator.AcceptanceVoices"/>)
/// are held out for acceptance and refused here.
/// </summary>
public static class TrainingVoices
{
    public static readonly string[] EspeakLanguages =
        ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"];

    public static readonly string[] EspeakVariants =
        ["", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "klatt", "klatt3", "Andy", "Annie", "Alex", "Gene", "Lee", "Mike", "Steph", "Tweaky", "grandpa", "max", "michel"];

    public static readonly string[] Flite = ["flite:kal", "flite:kal16", "flite:slt"];

    /// <summary>Share of renders spoken by flite: its three voices are closer to the held-out ones than espeak-ng's.</summary>
    private const double FliteShare = 0.4;

    /// <summary>A random training voice.</summary>
    public static string Pick(Random rng)
    {
        if (rng.NextDouble() < FliteShare) return Flite[rng.Next(Flite.Length)];
        var language = EspeakLanguages[rng.Next(EspeakLanguages.Length)];
        var variant = EspeakVariants[rng.Next(EspeakVariants.Length)];
        return variant.Length == 0 ? $"espeak-ng:{language}" : $"espeak-ng:{language}+{variant}";
    }

    /// <summary>Throws when <paramref name="voice"/> is an acceptance voice: the heads must never hear them in training.</summary>
    public static void EnsureTrainingVoice(string voice)
    {
        if (ScenarioGenerator.AcceptanceVoices.Contains(voice, StringComparer.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{voice} is an acceptance voice: it must not be used for training");
    }
}
