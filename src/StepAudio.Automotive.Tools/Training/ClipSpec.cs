using System.Globalization;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// One training or evaluation clip, fully determined by its fields: cabin road noise, then the
/// spoken parts in order (the last one is the target whose end the labels are aligned to), then a
/// tail of noise. An empty <see cref="Texts"/> is noise alone. <see cref="Seed"/> picks the cabin,
/// seat, microphone and noise; <see cref="Key"/> names it in the feature cache. An
/// <see cref="Interference"/> adds another talker (or the radio) over the target.
/// </summary>
public sealed record ClipSpec(
    IReadOnlyList<string> Texts,
    string Voice,
    double Rate,
    double Pitch,
    double SnrDb,
    double LeadSeconds,
    double GapSeconds,
    double TailSeconds,
    double GainDb,
    bool Radio,
    int Seed)
{
    /// <summary>Another talker or the radio speaking over the clip; null for none (the key of such a clip is unchanged).</summary>
    public Interference? Interference { get; init; }

    /// <summary>Speed perturbation of the target's speech (<see cref="SpeedPerturbation"/>); 1 for none (the key of such a clip is unchanged).</summary>
    public double Speed { get; init; } = 1;

    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{string.Join("|", Texts)}#{Voice}#{Rate:0.###}#{Pitch:0.###}#{SnrDb:0.##}#{LeadSeconds:0.###}#{GapSeconds:0.###}#{TailSeconds:0.###}#{GainDb:0.##}#{Radio}#{Seed}")
        + (Interference is { } i ? string.Create(CultureInfo.InvariantCulture, $"#over:{i.Text}#{i.Voice}#{i.StartSeconds:0.###}#{i.RelativeDb:0.##}#{i.Radio}") : "")
        + (Speed != 1 ? string.Create(CultureInfo.InvariantCulture, $"#speed:{Speed:0.###}") : "");
}

/// <summary>
/// Speech over the target, as the zone's beam still hears it from another seat or a door loudspeaker:
/// <see cref="Text"/> by <see cref="Voice"/>, starting <see cref="StartSeconds"/> into the clip, at
/// <see cref="RelativeDb"/> against the target's level.
/// </summary>
public sealed record Interference(string Text, string Voice, double StartSeconds, double RelativeDb, bool Radio);

/// <summary>A rendered clip: 16 kHz mono as one microphone hears it, and where the target part is.</summary>
public sealed record RenderedClip(float[] Audio, int TargetStart, int TargetEnd);

/// <summary>Draws the random parts of a clip (rate, pitch, SNR, timing, level, cabin seed) from one generator.</summary>
public static class ClipDraw
{
    public static ClipSpec Spec(Random rng, IReadOnlyList<string> texts, string voice, (double Lo, double Hi) snr,
        (double Lo, double Hi) tail, bool radio = false, double rateSpread = 1, double pitchSpread = 1) =>
        new(texts, voice,
            Rate: Uniform(rng, 1 - (0.15 * rateSpread), 1 + (0.2 * rateSpread)),
            Pitch: Uniform(rng, 1 - (0.15 * pitchSpread), 1 + (0.2 * pitchSpread)),
            SnrDb: Uniform(rng, snr.Lo, snr.Hi),
            LeadSeconds: Uniform(rng, 0.9, 1.4),
            GapSeconds: Uniform(rng, 0.15, 0.6),
            TailSeconds: Uniform(rng, tail.Lo, tail.Hi),
            GainDb: Uniform(rng, -6, 6),
            Radio: radio,
            Seed: rng.Next());

    /// <summary>
    /// The generator of clip <paramref name="index"/> of one stream: each clip draws from its own, so a
    /// larger set starts with the same clips as a smaller one and reuses their cached features.
    /// </summary>
    public static Random Generator(int seed, int stream, int index) => new(unchecked((((seed * 1009) + stream) * 1000003) + index) & int.MaxValue);

    public static double Uniform(Random rng, double lo, double hi) => Math.Round(lo + ((hi - lo) * rng.NextDouble()), 3);
}
