using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>What competes with the target talker in a generated scene.</summary>
public enum Interference
{
    None,

    /// <summary>Another seat talks at the same time.</summary>
    SecondTalker,

    /// <summary>A loudspeaker plays speech (radio, phone) at the same time.</summary>
    Radio,
}

/// <summary>The knobs of a generated scene: how many target utterances, over what noise, in which room.</summary>
public sealed record SceneRecipe(
    int Utterances = 8,
    double SnrDb = 10,
    double? Rt60Seconds = null,
    Interference Interference = Interference.None,
    double InterferenceGainDb = 0,
    double GapSeconds = 0.6,
    double MaxMouthOffset = 0.05);

/// <summary>
/// Builds reproducible evaluation scenes: target utterances one after another from random seats
/// (random phrase, voice, rate, pitch and a small mouth offset), each optionally overlapped by a
/// talker in another seat or by radio speech, over road noise. Same cabin, recipe and seed, same scene.
/// </summary>
public sealed class SceneGenerator
{
    public static readonly IReadOnlyList<string> Phrases =
    [
        "hey jarvis", "set the temperature to twenty two degrees", "open my window", "close the sunroof",
        "play some jazz", "navigate to the nearest charging station", "turn up the fan", "call mom",
        "what is the weather tomorrow", "turn off the seat heating", "skip this song", "how long until we arrive",
        "lower the volume please", "find a coffee shop on the way", "read my messages", "turn on the reading light",
    ];

    public static readonly IReadOnlyList<string> Voices =
    [
        "espeak-ng:en-us", "espeak-ng:en-us+f3", "espeak-ng:en-gb+m3", "espeak-ng:en-gb-scotland+f2",
        "flite:slt", "flite:kal16", "flite:awb", "flite:rms",
    ];

    private readonly TextToSpeech _tts;

    public SceneGenerator(TextToSpeech? tts = null)
    {
        _tts = tts ?? new TextToSpeech();
    }

    public CabinScene Generate(CabinProfile cabin, SceneRecipe recipe, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recipe.Utterances, 1);
        if (recipe.Interference == Interference.SecondTalker && cabin.Zones.Count < 2)
            throw new ArgumentException("a second talker needs a cabin with two zones", nameof(recipe));
        if (recipe.Interference == Interference.Radio && cabin.Loudspeakers.Count == 0)
            throw new ArgumentException("radio needs a cabin with a loudspeaker", nameof(recipe));
        var rng = new Random(seed);
        var events = new List<SceneEvent>();
        var t = recipe.GapSeconds;
        for (var i = 0; i < recipe.Utterances; i++)
        {
            var zone = cabin.Zones[rng.Next(cabin.Zones.Count)];
            var target = Utterance(rng, SceneSourceKind.Talker, zone.Name, t, 0, recipe.MaxMouthOffset);
            var length = Seconds(target);
            events.Add(target);
            if (recipe.Interference != Interference.None)
            {
                // Starts within the target's first half, so the two overlap for most of it.
                var start = t + (rng.NextDouble() * 0.5 * length);
                var other = recipe.Interference == Interference.SecondTalker
                    ? Utterance(rng, SceneSourceKind.Talker, cabin.Zones.Where(z => z.Name != zone.Name).ElementAt(rng.Next(cabin.Zones.Count - 1)).Name, start, recipe.InterferenceGainDb, recipe.MaxMouthOffset)
                    : Utterance(rng, SceneSourceKind.Loudspeaker, cabin.Loudspeakers[rng.Next(cabin.Loudspeakers.Count)].Name, start, recipe.InterferenceGainDb, 0);
                events.Add(other);
                length = Math.Max(length, start - t + Seconds(other));
            }
            t += length + recipe.GapSeconds;
        }
        return new CabinScene
        {
            Cabin = cabin,
            DurationSeconds = Math.Ceiling(t * 10) / 10,
            Rt60Seconds = recipe.Rt60Seconds,
            Seed = seed,
            Noise = new SceneNoise(recipe.SnrDb),
            Events = events,
        };
    }

    private static SceneEvent Utterance(Random rng, SceneSourceKind kind, string source, double start, double gainDb, double maxOffset)
    {
        var offset = new Point3(Uniform(rng, maxOffset), Uniform(rng, maxOffset), Uniform(rng, maxOffset));
        return new SceneEvent
        {
            Kind = kind,
            Source = source,
            StartSeconds = Math.Round(start, 3),
            Text = Phrases[rng.Next(Phrases.Count)],
            Voice = Voices[rng.Next(Voices.Count)],
            Rate = Math.Round(0.85 + (0.3 * rng.NextDouble()), 2),
            Pitch = Math.Round(0.85 + (0.3 * rng.NextDouble()), 2),
            GainDb = gainDb,
            Offset = kind == SceneSourceKind.Talker ? offset : default,
        };
    }

    /// <summary>How long the utterance's speech lasts once rendered (renders are cached, so this is cheap later).</summary>
    private double Seconds(SceneEvent e) =>
        CabinSimulator.Trim(_tts.Render(e.Text, e.Voice, e.Rate, e.Pitch)).Length / (double)CabinProfile.PipelineSampleRate;

    private static double Uniform(Random rng, double half) => Math.Round(((2 * rng.NextDouble()) - 1) * half, 3);
}
