using System.Globalization;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>
/// Audio + video scenarios for audio-visual attribution, from one script: the cabin simulator renders the
/// microphones, <see cref="CabinVideoGenerator"/> the camera, and every talker utterance of the script moves
/// that seat's mouth over its rendered time (silent seats keep their mouths closed). Two kinds:
/// <list type="bullet">
/// <item><c>second-talker</c>: "hey jarvis" + a command from one seat just as another occupant, as loud, finishes
/// a sentence (its end from 0.4 s before the wake word to the wake word's end: the localizer still holds that
/// seat active, or hears both). Truth: the turn, in its seat.</item>
/// <item><c>radio</c>: the radio says "hey jarvis" + a command from a door loudspeaker (an advert); nobody in
/// the car talks. Truth: no turn, so any intent is false.</item>
/// </list>
/// Each scenario is a folder with <c>audio.wav</c>, <c>truth.json</c> (the HIL rig's), <c>video.y4m</c> and
/// <c>video.truth.json</c>. Same index and seed, same scenario.
/// </summary>
public sealed class AvScenarioGenerator(CabinProfile profile, string profilePath, CommandGrammar grammar, TextToSpeech tts, IReadOnlyList<SourceFace> faces)
{
    public const string VideoFile = "video.y4m";

    /// <summary>The video's truth (per seat: speaking, landmarks) beside <see cref="VideoFile"/>.</summary>
    public const string VideoTruthFile = "video.truth.json";

    public double SnrDb { get; init; } = 15;

    /// <summary>Every this-many-th scenario is a radio one (0: none).</summary>
    public int RadioEvery { get; init; } = 4;

    public HilTruth Generate(int index, int seed, string directory)
    {
        var camera = profile.Camera ?? throw new InvalidInputException(profilePath, "the profile has no camera section");
        var rng = new Random(unchecked((seed * 7919) + index + 1_000_003));
        var radio = RadioEvery > 0 && index % RadioEvery == RadioEvery - 1 && profile.Loudspeakers.Count > 0;
        var id = string.Create(CultureInfo.InvariantCulture, $"av{seed}-{index:000}");
        var voice = ScenarioGenerator.AcceptanceVoices[rng.Next(ScenarioGenerator.AcceptanceVoices.Length)];
        var rate = 0.9 + (0.2 * rng.NextDouble());
        var pitch = 0.9 + (0.2 * rng.NextDouble());
        var phrase = grammar.Phrases[rng.Next(grammar.Phrases.Count)];
        var wake = tts.Render(grammar.Wake, voice, rate, pitch);
        var command = tts.Render(phrase.Text, voice, rate, pitch);
        var t = radio ? 1.0 : 3.5; // room for the other occupant's sentence before the wake word
        var commandStart = t + Seconds(wake) + 0.35;
        var end = commandStart + Seconds(command);
        var events = new List<SceneEvent>();
        var zone = profile.Zones[rng.Next(profile.Zones.Count)].Name;
        if (radio)
        {
            var speaker = profile.Loudspeakers[rng.Next(profile.Loudspeakers.Count)].Name;
            events.Add(new SceneEvent { Kind = SceneSourceKind.Loudspeaker, Source = speaker, StartSeconds = t, Text = grammar.Wake, Voice = voice, Signal = wake });
            events.Add(new SceneEvent { Kind = SceneSourceKind.Loudspeaker, Source = speaker, StartSeconds = commandStart, Text = phrase.Text, Voice = voice, Signal = command });
        }
        else
        {
            events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = zone, StartSeconds = t, Text = grammar.Wake, Voice = voice, Rate = rate, Pitch = pitch, Signal = wake });
            events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = zone, StartSeconds = commandStart, Text = phrase.Text, Voice = voice, Rate = rate, Pitch = pitch, Signal = command });
            var others = profile.Zones.Where(z => z.Name != zone).ToList();
            var other = others[rng.Next(others.Count)].Name;
            var otherVoice = ScenarioGenerator.AcceptanceVoices.First(v => v != voice);
            var text = ScenarioGenerator.Chatter[rng.Next(5)];
            var chatter = tts.Render(text, otherVoice);
            // Turn taking to overlap: the other occupant's sentence ends from 0.4 s before the wake word to its end,
            // while the localizer still holds that seat active.
            var chatterStart = Math.Max(0.05, t - Seconds(chatter) - 0.4 + ((Seconds(wake) + 0.4) * rng.NextDouble()));
            events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = other, StartSeconds = chatterStart, Text = text, Voice = otherVoice, Signal = chatter });
        }

        var scene = new CabinScene { Cabin = profile, DurationSeconds = Math.Max(end, events.Max(e => e.StartSeconds)) + 2.5, Seed = rng.Next(), Noise = new SceneNoise(SnrDb), Events = events };
        var render = new CabinSimulator(tts).Render(scene);
        var duration = Math.Max(scene.DurationSeconds, render.Utterances.Max(u => u.EndSeconds) + 1);
        Directory.CreateDirectory(directory);
        WavWriter.Write(Path.Combine(directory, "audio.wav"), render.Interleaved(), render.Channels, render.SampleRate);

        // The camera: each seat's mouth moves over its own rendered utterances.
        var seats = CabinVideoGenerator.SceneSeats(camera, faces, 0, render.Utterances, duration, (seed * 100) + (index * 10));
        new CabinVideoGenerator(camera, seats, 30, rng.Next()).Write(Path.Combine(directory, VideoFile), Path.Combine(directory, VideoTruthFile), duration);

        var byEvent = render.Utterances.ToDictionary(u => u.Index);
        List<HilTurn> turns = [];
        if (!radio)
        {
            var (w, c) = (byEvent[0], byEvent[1]);
            turns.Add(new HilTurn(zone, voice, Round(w.StartSeconds), Round(w.EndSeconds), phrase.Text, phrase.Intent, phrase.Slots, Round(c.StartSeconds), Round(c.EndSeconds), Round(c.AzimuthDeg)));
        }
        var truth = new HilTruth(id, Path.GetFullPath(profilePath), "audio.wav", duration, SnrDb, turns, [.. render.Utterances.Select(HilUtterance.From)])
        {
            Kind = radio ? "radio" : "second-talker",
        };
        truth.Save(Path.Combine(directory, HilTruth.FileName));
        return truth;
    }

    private static double Seconds(float[] signal) => signal.Length / (double)CabinProfile.PipelineSampleRate;

    private static double Round(double v) => Math.Round(v, 3);
}
