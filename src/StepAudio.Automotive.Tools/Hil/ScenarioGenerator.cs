using System.Globalization;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Tools.Vision;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>
/// Writes HIL scenarios: turns of "hey jarvis" + a grammar command in random seats, spoken by voices
/// the command heads never train on, with chatter from other seats, radio speech from the door
/// loudspeakers, and road noise at the requested SNRs. Each scenario is a folder with
/// <c>scene.json</c>-equivalent truth (<c>truth.json</c>) and the microphone recording (<c>audio.wav</c>).
/// </summary>
public sealed class ScenarioGenerator(CabinProfile profile, string profilePath, CommandGrammar grammar, TextToSpeech tts)
{
    /// <summary>Held out from training (which uses espeak-ng voices and flite kal, kal16, slt).</summary>
    public static readonly string[] AcceptanceVoices = ["flite:awb", "flite:rms"];

    /// <summary>Non-command speech for chatter and radio.</summary>
    public static readonly string[] Chatter =
    [
        "did you remember to bring the charger for the phone",
        "i think we should stop for coffee in the next town",
        "the weather looks much better than yesterday",
        "can you believe how long this traffic jam is",
        "my sister is visiting us next weekend",
        "and that was the latest news from the city council",
        "the match ended two to one after extra time",
        "we will be back after a short break with more music",
        "remember to call the dentist on monday morning",
        "the kids were asleep before we left the motorway",
    ];

    public int TurnsPerScenario { get; init; } = 2;

    public double ChatterProbability { get; init; } = 0.5;

    public double RadioProbability { get; init; } = 0.3;

    /// <summary>
    /// Also write the loudspeakers' feeds after the microphones in <c>audio.wav</c> (the head unit knows what it
    /// plays), for the service's echo canceller; off by default: the microphones alone (README, Echo cancellation).
    /// </summary>
    public bool EchoReferences { get; init; }

    public IReadOnlyList<double> SnrDb { get; init; } = [5, 10, 15, 20];

    /// <summary>Faces for the camera: when set, each scenario also gets a video (<see cref="HilVideo"/>).</summary>
    public IReadOnlyList<SourceFace>? Faces { get; init; }

    /// <summary>Renders scenario <paramref name="index"/> of a seeded set into <paramref name="directory"/>.</summary>
    public HilTruth Generate(int index, int seed, string directory)
    {
        var rng = new Random(unchecked((seed * 7919) + index));
        var id = string.Create(CultureInfo.InvariantCulture, $"s{seed}-{index:000}");
        var snr = SnrDb[index % SnrDb.Count];
        var events = new List<SceneEvent>();
        var turns = new List<(string Zone, string Voice, CommandPhrase Phrase, int WakeEvent, int CommandEvent)>();
        var t = 0.8;
        for (var k = 0; k < TurnsPerScenario; k++)
        {
            var zone = profile.Zones[rng.Next(profile.Zones.Count)].Name;
            var voice = AcceptanceVoices[rng.Next(AcceptanceVoices.Length)];
            var rate = 0.9 + (0.2 * rng.NextDouble());
            var pitch = 0.9 + (0.2 * rng.NextDouble());
            var phrase = grammar.Phrases[rng.Next(grammar.Phrases.Count)];
            var wake = tts.Render(grammar.Wake, voice, rate, pitch);
            var command = tts.Render(phrase.Text, voice, rate, pitch);
            events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = zone, StartSeconds = t, Text = grammar.Wake, Voice = voice, Rate = rate, Pitch = pitch, Signal = wake });
            var wakeIndex = events.Count - 1;
            var commandStart = t + Seconds(wake) + 0.35;
            events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = zone, StartSeconds = commandStart, Text = phrase.Text, Voice = voice, Rate = rate, Pitch = pitch, Signal = command });
            turns.Add((zone, voice, phrase, wakeIndex, events.Count - 1));
            var turnEnd = commandStart + Seconds(command);

            if (rng.NextDouble() < ChatterProbability && profile.Zones.Count > 1)
            {
                var other = profile.Zones.Where(z => z.Name != zone).ElementAt(rng.Next(profile.Zones.Count - 1)).Name;
                var text = Chatter[rng.Next(5)];
                events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = other, StartSeconds = t + (0.5 * rng.NextDouble()), Text = text, Voice = AcceptanceVoices[rng.Next(AcceptanceVoices.Length)], GainDb = -3 });
            }
            if (rng.NextDouble() < RadioProbability && profile.Loudspeakers.Count > 0)
            {
                var speaker = profile.Loudspeakers[rng.Next(profile.Loudspeakers.Count)].Name;
                events.Add(new SceneEvent { Kind = SceneSourceKind.Loudspeaker, Source = speaker, StartSeconds = t, Text = Chatter[5 + rng.Next(5)], Voice = "espeak-ng:en-gb", GainDb = -6 });
            }
            t = turnEnd + 1.5 + rng.NextDouble();
        }

        var scene = new CabinScene { Cabin = profile, DurationSeconds = t + 1.0, Seed = rng.Next(), Noise = new SceneNoise(snr), Events = events };
        var render = new CabinSimulator(tts).Render(scene);
        Directory.CreateDirectory(directory);
        var references = render.WriteWav(Path.Combine(directory, "audio.wav"), EchoReferences);
        if (Faces is { } faces) HilVideo.Write(profile, profilePath, faces, render, scene.DurationSeconds, index, seed, directory);

        var byEvent = render.Utterances.ToDictionary(u => u.Index);
        var truth = new HilTruth(
            id,
            Path.GetFullPath(profilePath),
            "audio.wav",
            scene.DurationSeconds,
            snr,
            [.. turns.Select(x =>
            {
                var w = byEvent[x.WakeEvent];
                var c = byEvent[x.CommandEvent];
                return new HilTurn(x.Zone, x.Voice, Round(w.StartSeconds), Round(w.EndSeconds), x.Phrase.Text, x.Phrase.Intent, x.Phrase.Slots, Round(c.StartSeconds), Round(c.EndSeconds), Round(c.AzimuthDeg));
            })],
            [.. render.Utterances.Select(HilUtterance.From)])
        { EchoReferences = references };
        truth.Save(Path.Combine(directory, "truth.json"));
        return truth;
    }

    private static double Seconds(float[] signal) => signal.Length / (double)CabinProfile.PipelineSampleRate;

    private static double Round(double v) => Math.Round(v, 3);
}
