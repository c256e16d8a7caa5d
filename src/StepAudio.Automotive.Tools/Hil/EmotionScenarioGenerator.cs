using System.Globalization;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Tools.Vision;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>
/// HIL scenarios for the emotion stage and the escalation policy, rendered with the cabin simulator:
/// <list type="bullet">
/// <item><c>agitated</c>: one occupant talks calmly for about 20 s (the baseline), then from the onset
/// each sentence louder, faster and higher (TTS level, rate and pitch); sometimes a calm companion in
/// another seat talks in the gaps. Truth: one escalation for that seat within
/// <see cref="EscalationDeadlineSeconds"/> of the onset, nothing from anyone else.</item>
/// <item><c>calm</c>: two to four occupants in conversation for a given length, each with their own
/// voice, rate, pitch and level and ordinary variation from sentence to sentence, sometimes
/// overlapping, sometimes silent for a while, radio now and then. Truth: no escalation.</item>
/// </list>
/// Same index and seed, same scenario.
/// </summary>
public sealed class EmotionScenarioGenerator(CabinProfile profile, string profilePath, TextToSpeech tts)
{
    /// <summary>The issue's target: an agitated talker escalates within 6 s of the onset.</summary>
    public const double EscalationDeadlineSeconds = 6;

    /// <summary>Voices the prosody analyser can follow (espeak-ng variants and flite's voices).</summary>
    public static readonly string[] Voices =
    [
        "espeak-ng:en-us", "espeak-ng:en-gb+f3", "espeak-ng:en-us+m3", "espeak-ng:en-gb-scotland+f2",
        "flite:slt", "flite:awb", "flite:rms", "flite:kal16",
    ];

    /// <summary>
    /// Voices for the agitated talker: those whose pitch the synthesizer really raises (flite's rms
    /// ignores <c>f0_shift</c>: its pitch stays put, measured, so it cannot sound agitated).
    /// </summary>
    public static readonly string[] AgitatedVoices = [.. Voices.Where(v => v != "flite:rms")];

    /// <summary>Everyday things occupants say to each other.</summary>
    public static readonly string[] Sentences =
    [
        "could you please set the temperature to twenty one degrees",
        "i would like to listen to some music from the radio now",
        "how long is it until we reach the next charging station",
        "please turn on the seat heating for the passenger side",
        "navigate to the office and avoid the motorway if possible",
        "can you read me the last message from my sister",
        "did you remember to bring the charger for the phone",
        "i think we should stop for coffee in the next town",
        "the weather looks much better than yesterday",
        "my sister is visiting us next weekend",
        "remember to call the dentist on monday morning",
        "the kids were asleep before we left the motorway",
        "we could take the scenic road along the lake",
        "i booked the restaurant for seven thirty tonight",
        "the meeting went well but it took far too long",
        "there is a nice bakery near the next exit",
        "do you know if the museum is open on sundays",
        "i have not seen this part of the country before",
    ];

    /// <summary>Agitation from the onset: (rate, pitch, level in dB) of each sentence, one louder, faster and higher than the last.</summary>
    public static readonly (double Rate, double Pitch, double GainDb)[] AgitationSteps =
        [(1.3, 1.5, 8), (1.4, 1.6, 10), (1.5, 1.7, 11), (1.5, 1.8, 12), (1.5, 1.8, 12)];

    /// <summary>
    /// Also write the loudspeakers' feeds after the microphones in <c>audio.wav</c> (the head unit knows what it
    /// plays), for the service's echo canceller; off by default: the microphones alone (README, Echo cancellation).
    /// </summary>
    public bool EchoReferences { get; init; }

    public IReadOnlyList<double> SnrDb { get; init; } = [10, 15, 20];

    /// <summary>
    /// Faces for the camera: when set, each scenario also gets a video (<see cref="HilVideo"/>), and the agitated
    /// talker's face turns angry from the onset over <see cref="AngerRampSeconds"/> (<see cref="AngerWarp"/>);
    /// the steady talker and everyone else stay neutral.
    /// </summary>
    public IReadOnlyList<SourceFace>? Faces { get; init; }

    public const double AngerRampSeconds = 3;

    /// <summary>Renders agitated scenario <paramref name="index"/> (or, with <paramref name="calm"/>, the same talker staying calm).</summary>
    public HilTruth Agitated(int index, int seed, string directory, bool calm = false)
    {
        var rng = new Random(unchecked((seed * 7919) + index));
        var id = string.Create(CultureInfo.InvariantCulture, $"{(calm ? "steady" : "agitated")}-s{seed}-{index:000}");
        var snr = SnrDb[index % SnrDb.Count];
        var zone = profile.Zones[rng.Next(profile.Zones.Count)].Name;
        var voice = AgitatedVoices[rng.Next(AgitatedVoices.Length)];
        var (rate, pitch) = (Around(rng, 1, 0.08), Around(rng, 1, 0.08));
        var events = new List<SceneEvent>();
        var order = Shuffled(rng, Sentences.Length);
        var next = 0;
        var t = 0.5;
        // The baseline: calm sentences until 20 s (the analyser learns the talker from 6 s of speech).
        while (t < 20)
        {
            var e = Say(zone, voice, Sentences[order[next++]], t, rate, pitch, 0);
            events.Add(e);
            t += Seconds(e) + 0.4 + (0.4 * rng.NextDouble());
        }
        var onset = Math.Round(t, 3);
        foreach (var step in AgitationSteps)
        {
            var e = calm
                ? Say(zone, voice, Sentences[order[next++]], t, rate, pitch, 0)
                : Say(zone, voice, Sentences[order[next++]], t, Math.Round(rate * step.Rate, 2), Math.Round(pitch * step.Pitch, 2), step.GainDb);
            events.Add(e);
            t += Seconds(e) + 0.25 + (0.2 * rng.NextDouble());
        }
        var end = t;
        // A calm companion in another seat, talking in the baseline's gaps and after the outburst.
        if (profile.Zones.Count > 1 && rng.NextDouble() < 0.5)
        {
            var other = profile.Zones.Where(z => z.Name != zone).ElementAt(rng.Next(profile.Zones.Count - 1)).Name;
            var otherVoice = Voices[(Array.IndexOf(Voices, voice) + 1 + rng.Next(Voices.Length - 1)) % Voices.Length];
            var reply = Say(other, otherVoice, Sentences[order[next++]], end + 0.8, Around(rng, 1, 0.08), Around(rng, 1, 0.08), -2);
            events.Add(reply);
            end = reply.StartSeconds + Seconds(reply);
        }
        var expected = calm ? [] : new[] { new HilExpectedEscalation(zone, "sustained-agitation", onset, Math.Round(onset + EscalationDeadlineSeconds, 3)) };
        var anger = calm ? null : new Dictionary<string, AngerRamp> { [zone] = new(onset, AngerRampSeconds) };
        return Write(id, calm ? "calm" : "agitated", directory, snr, end + 2, events, expected, rng, index, seed, anger);
    }

    /// <summary>Renders calm conversation scenario <paramref name="index"/> lasting about <paramref name="seconds"/>.</summary>
    public HilTruth Calm(int index, int seed, string directory, double seconds)
    {
        var rng = new Random(unchecked((seed * 104729) + index));
        var id = string.Create(CultureInfo.InvariantCulture, $"calm-s{seed}-{index:000}");
        var snr = SnrDb[index % SnrDb.Count];
        var occupied = profile.Zones.Select(z => z.Name).OrderBy(_ => rng.Next()).Take(Math.Min(profile.Zones.Count, 2 + rng.Next(3))).ToArray();
        var voices = Shuffled(rng, Voices.Length);
        var talkers = occupied.Select((z, i) => (Zone: z, Voice: Voices[voices[i % voices.Length]], Rate: Around(rng, 1, 0.1), Pitch: Around(rng, 1, 0.1), GainDb: Math.Round((6 * rng.NextDouble()) - 3, 1))).ToArray();
        var events = new List<SceneEvent>();
        var t = 0.5 + rng.NextDouble();
        var last = -1;
        var lastEnd = 0.0;
        while (true)
        {
            // Mostly someone else answers; sometimes the same person goes on.
            var k = talkers.Length > 1 && rng.NextDouble() < 0.75 ? (last + 1 + rng.Next(talkers.Length - 1)) % talkers.Length : Math.Max(0, last);
            var who = talkers[k];
            // Ordinary variation from sentence to sentence: rate and pitch ±8 %, level ±2.5 dB.
            var e = Say(who.Zone, who.Voice, Sentences[rng.Next(Sentences.Length)], t,
                Math.Round(who.Rate * Around(rng, 1, 0.08), 2), Math.Round(who.Pitch * Around(rng, 1, 0.08), 2), Math.Round(who.GainDb + (5 * rng.NextDouble()) - 2.5, 1));
            var end = t + Seconds(e);
            if (end > seconds - 1) break;
            events.Add(e);
            lastEnd = Math.Max(lastEnd, end);
            last = k;
            if (profile.Loudspeakers.Count > 0 && rng.NextDouble() < 0.08)
            {
                var speaker = profile.Loudspeakers[rng.Next(profile.Loudspeakers.Count)].Name;
                events.Add(new SceneEvent { Kind = SceneSourceKind.Loudspeaker, Source = speaker, StartSeconds = Math.Round(t + rng.NextDouble(), 3), Text = Sentences[rng.Next(Sentences.Length)], Voice = "espeak-ng:en-gb", GainDb = -6 });
            }
            var gap = rng.NextDouble() switch
            {
                < 0.1 => -0.4 - (0.6 * rng.NextDouble()), // talking over the end of the last sentence
                < 0.9 => 0.3 + (2.2 * rng.NextDouble()),
                _ => 5 + (15 * rng.NextDouble()), // a quiet stretch
            };
            t = Math.Round(Math.Max(t + 0.5, end + gap), 3);
        }
        return Write(id, "calm", directory, snr, Math.Max(seconds, lastEnd + 1), events, [], rng, index, seed);
    }

    private HilTruth Write(string id, string kind, string directory, double snr, double duration, List<SceneEvent> events, IReadOnlyList<HilExpectedEscalation> expected, Random rng, int index, int seed, IReadOnlyDictionary<string, AngerRamp>? anger = null)
    {
        var scene = new CabinScene { Cabin = profile, DurationSeconds = Math.Ceiling(duration * 10) / 10, Seed = rng.Next(), Noise = new SceneNoise(snr), Events = events };
        var render = new CabinSimulator(tts).Render(scene);
        Directory.CreateDirectory(directory);
        var references = render.WriteWav(Path.Combine(directory, "audio.wav"), EchoReferences);
        if (Faces is { } faces) HilVideo.Write(profile, profilePath, faces, render, scene.DurationSeconds, index, seed, directory, anger);
        var truth = new HilTruth(
            id,
            Path.GetFullPath(profilePath),
            "audio.wav",
            scene.DurationSeconds,
            snr,
            [],
            [.. render.Utterances.Select(HilUtterance.From)])
        {
            Kind = kind,
            Escalations = expected,
            EchoReferences = references,
        };
        truth.Save(Path.Combine(directory, HilTruth.FileName));
        return truth;
    }

    private static SceneEvent Say(string zone, string voice, string text, double start, double rate, double pitch, double gainDb) => new()
    {
        Kind = SceneSourceKind.Talker,
        Source = zone,
        StartSeconds = Math.Round(start, 3),
        Text = text,
        Voice = voice,
        Rate = rate,
        Pitch = pitch,
        GainDb = gainDb,
    };

    private double Seconds(SceneEvent e) =>
        CabinSimulator.Trim(tts.Render(e.Text, e.Voice, e.Rate, e.Pitch)).Length / (double)CabinProfile.PipelineSampleRate;

    /// <summary>A factor around <paramref name="centre"/> by up to ±<paramref name="spread"/>, to 2 decimals (so TTS renders repeat and cache).</summary>
    private static double Around(Random rng, double centre, double spread) => Math.Round(centre * (1 + (((2 * rng.NextDouble()) - 1) * spread)), 2);

    private static int[] Shuffled(Random rng, int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(a);
        return a;
    }

    private static double Round(double v) => Math.Round(v, 3);
}
