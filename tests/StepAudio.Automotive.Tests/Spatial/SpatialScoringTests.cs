using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Tools.Simulation;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Spatial;

/// <summary>
/// Issue 3's targets, measured on the project's simulated cabins: real TTS speech (espeak-ng,
/// flite) through the image-source cabin at SNR 5 dB and RT60 0.15 s. Run with
/// <c>--logger "console;verbosity=detailed"</c> to see every number.
/// </summary>
public class SpatialScoringTests(ITestOutputHelper output)
{
    private const int Hop = 160;

    /// <summary>Issue 3's one-talker target, at SNR ≥ 5 dB.</summary>
    private const double OneTalkerTarget = 0.98;

    /// <summary>Floor over every utterance, including those below 5 dB (measured 90–96 % over seeds 3–8).</summary>
    private const double OneTalkerFloorAll = 0.85;

    /// <summary>
    /// Scenes of the one-talker test: seeds 3 and 4 (24 utterances per cabin) unless
    /// STEPAUDIO_SPATIAL_SEEDS lists others (e.g. <c>3,4,5,6,7,8</c> for the 72-utterance measurement in the README).
    /// </summary>
    private static readonly int[] OneTalkerSeeds = Environment.GetEnvironmentVariable("STEPAUDIO_SPATIAL_SEEDS") is { Length: > 0 } list
        ? [.. list.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]
        : [3, 4];

    private sealed class ListSink : IEventSink
    {
        public List<SpeechEvent> Speech { get; } = [];

        public void Publish(CabinEvent e)
        {
            if (e is SpeechEvent s && s.End is not null) Speech.Add(s);
        }
    }

    private static readonly string[] Phrases =
    [
        "hey jarvis set the temperature to twenty two degrees",
        "open my window a little please",
        "play some jazz in the back",
        "how long until we get there",
    ];

    private static readonly string[] Voices = ["espeak-ng:en-us+m3", "flite:slt", "espeak-ng:en-gb+f3", "flite:kal16"];

    private static SceneEvent Talk(string zone, double start, Random rng, double gainDb = 0) => new()
    {
        Kind = SceneSourceKind.Talker,
        Source = zone,
        StartSeconds = start,
        Text = Phrases[rng.Next(Phrases.Length)],
        Voice = Voices[rng.Next(Voices.Length)],
        GainDb = gainDb,
    };

    /// <summary>
    /// The one-talker scene for a seed: each seat three times in turn (3.2 s apart), TTS voices, road noise at
    /// SNR 5 dB, RT60 0.15 s.
    /// </summary>
    internal static SceneRender OneTalkerScene(CabinProfile profile, int seed)
    {
        var rng = new Random(seed);
        var events = new List<SceneEvent>();
        var t = 0.5;
        for (var round = 0; round < 3; round++)
            foreach (var zone in profile.Zones)
            {
                events.Add(Talk(zone.Name, t, rng));
                t += 3.2;
            }
        return new CabinSimulator().Render(new CabinScene { Cabin = profile, DurationSeconds = t + 0.5, Rt60Seconds = 0.15, Seed = seed, Noise = new SceneNoise(5), Events = events });
    }

    /// <summary>The front end over the whole rendered scene, every microphone usable: its closed speech events.</summary>
    internal static List<SpeechEvent> Speech(CabinProfile profile, SceneRender render, SpatialOptions? options = null) => Run(profile, render, options).Speech;

    private static ListSink Run(CabinProfile profile, SceneRender render, SpatialOptions? options = null)
    {
        var sink = new ListSink();
        var front = new SpatialFrontEnd(profile, sink, options);
        var planar = new float[profile.Mics.Count][];
        for (var m = 0; m < planar.Length; m++) planar[m] = new float[Hop];
        var usable = Enumerable.Repeat(true, planar.Length).ToArray();
        for (var h = 0; h < render.Frames / Hop; h++)
        {
            for (var m = 0; m < planar.Length; m++) render.Mix[m].AsSpan(h * Hop, Hop).CopyTo(planar[m]);
            front.Process(planar, usable);
        }
        front.Finish();
        return sink;
    }

    /// <summary>Seconds of an utterance covered by speech events of its own zone.</summary>
    private static double Covered(ListSink sink, RenderedUtterance u) => sink.Speech
        .Where(e => e.Zone == u.Source)
        .Sum(e => Math.Max(0, Math.Min(e.End!.Value, u.EndSeconds) - Math.Max(e.Start, u.StartSeconds)));

    /// <summary>
    /// An utterance's own SNR: its image's power over the noise's at the microphones while it lasts. The
    /// scene's SNR (5 dB) is over all talkers' speech; single utterances spread around it (about
    /// 0–7 dB: seats differ in distance, voices in level within the band), and the issue's targets
    /// are for talkers at SNR ≥ 5 dB.
    /// </summary>
    internal static double Snr(SceneRender render, RenderedUtterance u)
    {
        double s = 0, n = 0;
        var end = Math.Min(render.Frames, u.StartSample + u.Dry.Length);
        for (var m = 0; m < render.Channels; m++)
        {
            for (var t = u.StartSample; t < end; t++)
            {
                var x = u.Image[m][t - u.StartSample];
                s += x * (double)x;
                n += render.Noise[m][t] * (double)render.Noise[m][t];
            }
        }
        return 10 * Math.Log10(s / n);
    }

    [Theory]
    [InlineData("sedan-console-circular", 0)]
    [InlineData("sedan-headliner-linear", 0)]
    [InlineData("sedan-headliner-linear", 3)]
    public void OneTalkerAtATimeIsPlacedInItsSeat(string cabin, double onsetDb)
    {
        var options = new SpatialOptions { OnsetDb = onsetDb };
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        int correct = 0, total = 0, falseEvents = 0, correctAt5 = 0, totalAt5 = 0;
        var errors = new List<double>();
        foreach (var seed in OneTalkerSeeds)
        {
            var render = OneTalkerScene(profile, seed);
            var sink = Run(profile, render, options);
            foreach (var u in render.Utterances)
            {
                var snr = Snr(render, u);
                total++;
                if (snr >= 5) totalAt5++;
                // The zone the front end gave most of the utterance's time to.
                var best = sink.Speech
                    .Select(e => (e, Seconds: Math.Min(e.End!.Value, u.EndSeconds) - Math.Max(e.Start, u.StartSeconds)))
                    .Where(x => x.Seconds > 0).OrderByDescending(x => x.Seconds).Select(x => x.e).FirstOrDefault();
                if (best?.Zone == u.Source)
                {
                    correct++;
                    if (snr >= 5) correctAt5++;
                    errors.Add(Math.Abs(Math.IEEERemainder(best.DoaAzimuthDeg - u.AzimuthDeg, 360)));
                }
                else
                {
                    output.WriteLine($"miss: seed {seed} {u.Source} {u.StartSeconds:0.00}–{u.EndSeconds:0.00} s, SNR {snr:0.0} dB → {best?.Zone ?? "none"}");
                }
            }
            falseEvents += sink.Speech.Count(e => !render.Utterances.Any(u => u.Source == e.Zone && e.Start < u.EndSeconds && e.End > u.StartSeconds));
        }
        var accuracy = (double)correct / total;
        var accuracyAt5 = (double)correctAt5 / totalAt5;
        var median = errors.Order().ElementAt(errors.Count / 2);
        output.WriteLine($"{cabin}, onsets {onsetDb} dB: one talker zone accuracy at SNR ≥ 5 dB {accuracyAt5:P1} ({correctAt5}/{totalAt5}), all {accuracy:P1} ({correct}/{total}), median azimuth error {median:0.0}°, speech events in a silent zone {falseEvents}");
        Assert.True(accuracyAt5 >= OneTalkerTarget, $"{cabin}: zone accuracy at SNR ≥ 5 dB {accuracyAt5:P1}");
        Assert.True(accuracy >= OneTalkerFloorAll, $"{cabin}: zone accuracy over all utterances {accuracy:P1}");
        Assert.True(median <= 5, $"{cabin}: median azimuth error {median:0.0}°");
    }

    [Theory]
    [InlineData("sedan-console-circular", 0)]
    [InlineData("sedan-headliner-linear", 0)]
    [InlineData("sedan-headliner-linear", 3)]
    public void SecondTalkerOrRadio(string cabin, double onsetDb)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        var rng = new Random(11);
        var events = new List<SceneEvent>();
        var pairs = new[] { ("driver", "rear-right"), ("front-passenger", "rear-left"), ("driver", "front-passenger"), ("rear-left", "rear-right") };
        var t = 0.5;
        foreach (var (a, b) in pairs)
        {
            events.Add(Talk(a, t, rng));
            events.Add(Talk(b, t + 0.7, rng));
            t += 4.0;
        }
        var radioFrom = t;
        foreach (var zone in profile.Zones)
        {
            events.Add(new SceneEvent { Kind = SceneSourceKind.Loudspeaker, Source = profile.Loudspeakers[rng.Next(profile.Loudspeakers.Count)].Name, StartSeconds = t - 0.3, Text = "and now the traffic report for the morning commute", Voice = "flite:slt", GainDb = -6 });
            events.Add(Talk(zone.Name, t, rng));
            t += 4.0;
        }
        var render = new CabinSimulator().Render(new CabinScene { Cabin = profile, DurationSeconds = t + 0.5, Rt60Seconds = 0.15, Seed = 11, Noise = new SceneNoise(5), Events = events });
        var sink = Run(profile, render, new SpatialOptions { OnsetDb = onsetDb });
        var talkers = render.Utterances.Where(u => u.Kind == SceneSourceKind.Talker).ToList();
        // Detected: its own zone was reported for at least half of the utterance.
        var detected = talkers.Count(u => Covered(sink, u) >= 0.5 * (u.EndSeconds - u.StartSeconds));
        var twoTalker = talkers.Where(u => u.StartSeconds < radioFrom).ToList();
        var withRadio = talkers.Where(u => u.StartSeconds >= radioFrom).ToList();
        var d2 = twoTalker.Count(u => Covered(sink, u) >= 0.5 * (u.EndSeconds - u.StartSeconds));
        var dr = withRadio.Count(u => Covered(sink, u) >= 0.5 * (u.EndSeconds - u.StartSeconds));
        foreach (var u in talkers.Where(u => Covered(sink, u) < 0.5 * (u.EndSeconds - u.StartSeconds)))
            output.WriteLine($"miss: {u.Source} {u.StartSeconds:0.00}–{u.EndSeconds:0.00} s, SNR {Snr(render, u):0.0} dB, covered {Covered(sink, u):0.00} s");
        var falseEvents = sink.Speech.Count(e => !talkers.Any(u => u.Source == e.Zone && e.Start < u.EndSeconds && e.End > u.StartSeconds));
        output.WriteLine($"{cabin}, onsets {onsetDb} dB: two talkers {d2}/{twoTalker.Count}, talker over radio {dr}/{withRadio.Count}, all {(double)detected / talkers.Count:P0}; speech events in a silent zone {falseEvents}");
        // Measured 7/8 two-talker and 4/4 over radio (circular), 6/8 and 4/4 (linear; 5/8 with onsets): the missed
        // talkers are the weaker of the two, at 1–4 dB SNR. OverlapAtScale measures the target on 80 scenes per seed.
        Assert.True(detected >= 0.7 * talkers.Count, $"{cabin}: {detected}/{talkers.Count} detected");
    }

    /// <summary>Scenes per kind in <see cref="OverlapAtScale"/>: 40 unless STEPAUDIO_SPATIAL_OVERLAP_SCENES says otherwise.</summary>
    private static readonly int OverlapScenes = Environment.GetEnvironmentVariable("STEPAUDIO_SPATIAL_OVERLAP_SCENES") is { Length: > 0 } n
        ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)
        : 40;

    private static readonly string[] RadioPhrases =
    [
        "and now the traffic report for the morning commute",
        "stay tuned for the weather after these messages",
        "that was the latest single from the band everyone is talking about",
    ];

    /// <summary>
    /// Issue 3's overlap target at scale: <see cref="OverlapScenes"/> two-talker scenes (a second seat
    /// starts 0.4–1.0 s into the first talker's utterance) and as many radio scenes (a door loudspeaker
    /// plays speech from 0.3 s before a talker starts), one seed per run. A talker is found when its own
    /// zone is reported for at least half of its utterance; the target counts talkers whose own SNR is
    /// ≥ 5 dB. Seed 31 tuned the tracker, 32 checks it.
    /// </summary>
    [Theory]
    [InlineData("sedan-console-circular", 31)]
    [InlineData("sedan-headliner-linear", 31)]
    [InlineData("sedan-console-circular", 32)]
    [InlineData("sedan-headliner-linear", 32)]
    public void OverlapAtScale(string cabin, int seed)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        var (pairs, radio) = RenderOverlap(profile, seed);
        var pairScore = ScoreOverlap(profile, pairs, "two talkers");
        var radioScore = ScoreOverlap(profile, radio, "talker over radio");
        output.WriteLine($"{cabin}, seed {seed}, {OverlapScenes} scenes each: two talkers {pairScore}; talker over radio {radioScore}");
        Assert.True(pairScore.AccuracyAt5 >= OverlapTarget, $"{cabin}: two talkers at SNR ≥ 5 dB {pairScore}");
        Assert.True(radioScore.AccuracyAt5 >= OverlapTarget, $"{cabin}: talker over radio at SNR ≥ 5 dB {radioScore}");
        // Over every talker, most of them below 5 dB: measured 82.5–92.5 % (two talkers) and 95–97.5 % (radio), seeds 31–32.
        Assert.True(pairScore.Accuracy >= OverlapFloorAll, $"{cabin}: two talkers {pairScore}");
        Assert.True(radioScore.Accuracy >= OverlapFloorAll, $"{cabin}: talker over radio {radioScore}");
    }

    /// <summary>Issue 3's target with a second talker or radio speech active, for talkers at SNR ≥ 5 dB.</summary>
    private const double OverlapTarget = 0.9;

    /// <summary>Floor over every talker of the overlap scenes, including those below 5 dB.</summary>
    private const double OverlapFloorAll = 0.8;

    private static (SceneRender Pairs, SceneRender Radio) RenderOverlap(CabinProfile profile, int seed)
    {
        var rng = new Random(seed);
        var zones = profile.Zones.Select(z => z.Name).ToArray();
        var pairEvents = new List<SceneEvent>();
        var t = 0.5;
        for (var i = 0; i < OverlapScenes; i++)
        {
            var a = rng.Next(zones.Length);
            var b = (a + 1 + rng.Next(zones.Length - 1)) % zones.Length;
            pairEvents.Add(Talk(zones[a], t, rng));
            pairEvents.Add(Talk(zones[b], t + 0.4 + (0.6 * rng.NextDouble()), rng));
            t += 4.5;
        }
        var pairs = new CabinSimulator().Render(new CabinScene { Cabin = profile, DurationSeconds = t, Rt60Seconds = 0.15, Seed = seed, Noise = new SceneNoise(5), Events = pairEvents });
        var radioEvents = new List<SceneEvent>();
        t = 0.5;
        for (var i = 0; i < OverlapScenes; i++)
        {
            radioEvents.Add(new SceneEvent
            {
                Kind = SceneSourceKind.Loudspeaker,
                Source = profile.Loudspeakers[rng.Next(profile.Loudspeakers.Count)].Name,
                StartSeconds = t,
                Text = RadioPhrases[rng.Next(RadioPhrases.Length)],
                Voice = Voices[rng.Next(Voices.Length)],
                GainDb = -6,
            });
            radioEvents.Add(Talk(zones[rng.Next(zones.Length)], t + 0.3, rng));
            t += 4.5;
        }
        var radio = new CabinSimulator().Render(new CabinScene { Cabin = profile, DurationSeconds = t, Rt60Seconds = 0.15, Seed = seed + 1000, Noise = new SceneNoise(5), Events = radioEvents });
        return (pairs, radio);
    }

    private readonly record struct OverlapScore(int Found, int Total, int FoundAt5, int TotalAt5, int FirstFound, int SecondFound, int Ghosts)
    {
        public double AccuracyAt5 => (double)FoundAt5 / Math.Max(1, TotalAt5);

        public double Accuracy => (double)Found / Math.Max(1, Total);

        public override string ToString() =>
            $"at SNR ≥ 5 dB {AccuracyAt5:P1} ({FoundAt5}/{TotalAt5}), all {(double)Found / Total:P1} ({Found}/{Total}; first {FirstFound}, second {SecondFound}), speech events in a silent zone {Ghosts}";
    }

    private OverlapScore ScoreOverlap(CabinProfile profile, SceneRender render, string what)
    {
        var sink = Run(profile, render);
        var talkers = render.Utterances.Where(u => u.Kind == SceneSourceKind.Talker).ToList();
        int found = 0, foundAt5 = 0, totalAt5 = 0, first = 0, second = 0;
        foreach (var u in talkers)
        {
            var snr = Snr(render, u);
            var ok = Covered(sink, u) >= 0.5 * (u.EndSeconds - u.StartSeconds);
            var isSecond = talkers.Any(o => o != u && o.StartSeconds < u.StartSeconds && o.EndSeconds > u.StartSeconds);
            if (snr >= 5) totalAt5++;
            if (!ok)
            {
                var other = string.Join(", ", sink.Speech.Where(e => e.Start < u.EndSeconds && e.End > u.StartSeconds).Select(e => $"{e.Zone} {e.Start:0.00}–{e.End:0.00}"));
                output.WriteLine($"miss ({what}{(isSecond ? ", second" : "")}): {u.Source} {u.StartSeconds:0.00}–{u.EndSeconds:0.00} s, SNR {snr:0.0} dB, covered {Covered(sink, u):0.00} s; events: {other}");
                continue;
            }
            found++;
            if (snr >= 5) foundAt5++;
            if (isSecond) second++;
            else first++;
        }
        var ghosts = sink.Speech.Count(e => !talkers.Any(u => u.Source == e.Zone && e.Start < u.EndSeconds && e.End > u.StartSeconds));
        return new OverlapScore(found, talkers.Count, foundAt5, totalAt5, first, second, ghosts);
    }

    [Theory]
    [InlineData("sedan-console-circular", BeamformerKind.Mvdr)]
    [InlineData("sedan-console-circular", BeamformerKind.DelayAndSum)]
    [InlineData("sedan-headliner-linear", BeamformerKind.Mvdr)]
    [InlineData("sedan-headliner-linear", BeamformerKind.DelayAndSum)]
    public void BeamAgainstATalkerInAnotherSeat(string cabin, BeamformerKind kind)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        var rng = new Random(21);
        // The interferer (front passenger) talks throughout; the driver joins at 4 s.
        var events = new List<SceneEvent>();
        for (var t = 0.3; t < 11; t += 2.7) events.Add(Talk("front-passenger", t, rng));
        events.Add(Talk("driver", 4.0, rng));
        events.Add(Talk("driver", 7.0, rng));
        var render = new CabinSimulator().Render(new CabinScene { Cabin = profile, DurationSeconds = 11, Rt60Seconds = 0.15, Seed = 21, Noise = new SceneNoise(20), Events = events });
        var target = Sum(render, u => u.Source == "driver");
        var interferer = Sum(render, u => u.Source == "front-passenger");

        var from = 4.5;
        var (p, beam, reference, lat) = BeamPowers(profile, render, "driver", target, interferer, kind, from, double.MaxValue);
        var sirGain = p.SirGainDb;
        // SI-SDR of the beam (mixture in) and of the reference microphone, against the driver's image at that microphone.
        var start = (int)(from * 16000);
        var end = render.Frames - lat;
        var refTarget = target[reference].AsSpan(start, end - start);
        var sdrOut = SiSdr(beam.AsSpan(start + lat, end - start), refTarget);
        var sdrIn = SiSdr(render.Mix[reference].AsSpan(start, end - start), refTarget);
        output.WriteLine($"{cabin} {kind}: SIR improvement {sirGain:0.0} dB, SI-SDR {sdrIn:0.0} → {sdrOut:0.0} dB (improvement {sdrOut - sdrIn:0.0} dB)");
        if (kind == BeamformerKind.Mvdr)
        {
            Assert.True(sirGain >= 10, $"{cabin}: MVDR SIR improvement {sirGain:0.0} dB");
            Assert.True(sdrOut > sdrIn, $"{cabin}: MVDR SI-SDR {sdrIn:0.0} → {sdrOut:0.0} dB");
        }
    }

    /// <summary>
    /// The HIL scenarios' overlap: a neighbour (3 dB quieter at the mouth) starts 0.3 s after the zone's own talker,
    /// so the zone's MVDR, which learns only while its zone is silent, has never heard them, unlike in
    /// <see cref="BeamAgainstATalkerInAnotherSeat"/>. Measured over the overlap with the beam's weights of the
    /// moment (README, What limits the service figures): the beam keeps its own talker, but takes only a few dB
    /// off the neighbour.
    /// </summary>
    [Theory]
    [InlineData("rear-left", "driver")]
    [InlineData("rear-right", "rear-left")]
    [InlineData("driver", "rear-left")]
    [InlineData("front-passenger", "rear-left")]
    public void BeamAgainstATalkerWhoStartsAfterTheZonesOwn(string targetZone, string otherZone)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin("sedan-console-circular"));
        var rng = new Random(5);
        var events = new List<SceneEvent> { Talk(targetZone, 0.8, rng), Talk(otherZone, 1.1, rng, gainDb: -3) };
        var render = new CabinSimulator().Render(new CabinScene { Cabin = profile, DurationSeconds = 4.5, Rt60Seconds = 0.15, Seed = 21, Noise = new SceneNoise(15), Events = events });
        var target = Sum(render, u => u.Source == targetZone);
        var interferer = Sum(render, u => u.Source == otherZone);
        var own = render.Utterances.Single(u => u.Source == targetZone);
        var other = render.Utterances.Single(u => u.Source == otherZone);
        var (from, to) = (other.StartSeconds, Math.Min(own.EndSeconds, other.EndSeconds));
        var line = new System.Text.StringBuilder($"{targetZone} talking, {otherZone} from {from - own.StartSeconds:0.0} s after, overlap {to - from:0.0} s:");
        foreach (var kind in new[] { BeamformerKind.Mvdr, BeamformerKind.DelayAndSum })
        {
            var (p, _, _, _) = BeamPowers(profile, render, targetZone, target, interferer, kind, from, to);
            var kept = 10 * Math.Log10(p.TargetOut / p.TargetIn);
            var neighbour = 10 * Math.Log10(p.InterfererOut / p.InterfererIn);
            line.Append(System.FormattableString.Invariant($" {kind}: own talker {kept:0.0} dB, neighbour {neighbour:0.0} dB, SIR {10 * Math.Log10(p.TargetIn / p.InterfererIn):0.0} → {10 * Math.Log10(p.TargetOut / p.InterfererOut):0.0} dB;"));
            Assert.True(kept > -6, $"{kind} beam of {targetZone} took {kept:0.0} dB off its own talker");
        }
        output.WriteLine(line.ToString());
    }

    private readonly record struct SourcePowers(double TargetIn, double InterfererIn, double TargetOut, double InterfererOut)
    {
        public double SirGainDb => (10 * Math.Log10(TargetOut / InterfererOut)) - (10 * Math.Log10(TargetIn / InterfererIn));
    }

    /// <summary>
    /// Runs the front end over the render and, from <paramref name="from"/> to <paramref name="to"/> s, sums the power of the
    /// target and of the interferer alone at the zone's reference microphone and through the zone's beam with its weights
    /// of the moment. Also gives the beam's audio of the mixture, the reference microphone and the beam's latency in samples.
    /// </summary>
    private static (SourcePowers Powers, float[] Beam, int Reference, int Latency) BeamPowers(CabinProfile profile, SceneRender render, string zoneName, float[][] target, float[][] interferer, BeamformerKind kind, double from, double to)
    {
        var front = new SpatialFrontEnd(profile, new ListSink(), new SpatialOptions { Beamformer = kind });
        var stft = front.Stft;
        var mics = profile.Mics.Count;
        var zone = profile.ZoneIndex(zoneName);
        var tA = Enumerable.Range(0, mics).Select(_ => new StftAnalyzer(stft)).ToArray();
        var iA = Enumerable.Range(0, mics).Select(_ => new StftAnalyzer(stft)).ToArray();
        var (tRe, tIm, iRe, iIm) = (Bins(mics, stft), Bins(mics, stft), Bins(mics, stft), Bins(mics, stft));
        var (outRe, outIm) = (new float[stft.Bins], new float[stft.Bins]);
        var planar = Bins(mics, stft, Hop);
        var usable = Enumerable.Repeat(true, mics).ToArray();
        var reference = front.Beamformer.ReferenceMic[zone];
        var beam = new float[render.Frames];
        double tIn = 0, iIn = 0, tOut = 0, iOut = 0;
        for (var h = 0; h < render.Frames / Hop; h++)
        {
            for (var m = 0; m < mics; m++)
            {
                render.Mix[m].AsSpan(h * Hop, Hop).CopyTo(planar[m]);
                tA[m].Push(target[m].AsSpan(h * Hop, Hop), tRe[m], tIm[m]);
                iA[m].Push(interferer[m].AsSpan(h * Hop, Hop), iRe[m], iIm[m]);
            }
            front.Process(planar, usable);
            front.BeamOutput(zone).CopyTo(beam.AsSpan(h * Hop, Hop));
            var t = h * Hop / 16000.0;
            if (t < from || t > to) continue;
            // The beam's current weights applied to each source alone: output SIR against input SIR.
            tIn += Power(tRe[reference], tIm[reference]);
            iIn += Power(iRe[reference], iIm[reference]);
            front.Beamformer.Beam(zone, tRe, tIm, outRe, outIm);
            tOut += Power(outRe, outIm);
            front.Beamformer.Beam(zone, iRe, iIm, outRe, outIm);
            iOut += Power(outRe, outIm);
        }
        return (new SourcePowers(tIn, iIn, tOut, iOut), beam, reference, stft.Latency);
    }

    private static float[][] Bins(int mics, Stft stft, int length = 0) =>
        Enumerable.Range(0, mics).Select(_ => new float[length > 0 ? length : stft.Bins]).ToArray();

    private static float[][] Sum(SceneRender render, Func<RenderedUtterance, bool> which)
    {
        var x = Enumerable.Range(0, render.Channels).Select(_ => new float[render.Frames]).ToArray();
        foreach (var u in render.Utterances.Where(which))
            for (var m = 0; m < x.Length; m++)
                for (var i = 0; i < u.Image[m].Length && u.StartSample + i < render.Frames; i++)
                    x[m][u.StartSample + i] += u.Image[m][i];
        return x;
    }

    private static double Power(float[] re, float[] im)
    {
        double p = 0;
        for (var k = 1; k < re.Length; k++) p += (re[k] * re[k]) + (im[k] * im[k]);
        return p;
    }

    /// <summary>Scale-invariant SDR of an estimate against a reference, dB.</summary>
    private static double SiSdr(ReadOnlySpan<float> estimate, ReadOnlySpan<float> reference)
    {
        double dot = 0, rr = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            dot += estimate[i] * (double)reference[i];
            rr += reference[i] * (double)reference[i];
        }
        var a = dot / rr;
        double target = 0, noise = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            var s = a * reference[i];
            var e = estimate[i] - s;
            target += s * s;
            noise += e * e;
        }
        return 10 * Math.Log10(target / noise);
    }
}
