using System.Globalization;
using System.Text.Json;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>Rates and latencies over a scenario set; NaN where nothing was there to measure.</summary>
public sealed record HilScore
{
    public int Scenarios { get; init; }
    public int ScenariosNotRun { get; init; }
    public double AudioHours { get; init; }
    public int Turns { get; init; }
    public double IntentAccuracy { get; init; }
    public double WakeRecall { get; init; }
    public double ZoneAccuracy { get; init; }
    public int FalseIntents { get; init; }
    public double FalseIntentsPerHour { get; init; }
    /// <summary>Escalations the truth expects: emergency commands and agitated talkers.</summary>
    public int EscalationsExpected { get; init; }
    public double EscalationRecall { get; init; }
    public int FalseEscalations { get; init; }
    public double FalseEscalationsPerHour { get; init; }

    /// <summary>Seconds from an agitated talker's onset to the escalation, per expected escalation found.</summary>
    public IReadOnlyList<double> EscalationLatenciesS { get; init; } = [];

    public double EscalationLatencyMaxS { get; init; }
    public double LatencyP50Ms { get; init; }
    public double LatencyP95Ms { get; init; }
    public double LatencyP99Ms { get; init; }
    public double WallLatencyP95Ms { get; init; }
    public double MedianAzimuthErrorDeg { get; init; }
    public IReadOnlyDictionary<string, double> IntentAccuracyBySnr { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> IntentAccuracyByZone { get; init; } = new Dictionary<string, double>();

    /// <summary>Turns grouped by what else was heard over them (<see cref="HilScorer.Interference"/>).</summary>
    public IReadOnlyDictionary<string, HilTurnGroup> ByInterference { get; init; } = new Dictionary<string, HilTurnGroup>();

    /// <summary>(truth intent, heard intent or "none") per turn, for the confusion matrix.</summary>
    public IReadOnlyList<(string Truth, string Heard)> Confusions { get; init; } = [];

    public IReadOnlyList<double> LatenciesMs { get; init; } = [];

    /// <summary>(stream time, measured azimuth, true azimuth) of matched speech events, for DOA-over-time plots.</summary>
    public IReadOnlyList<(double Time, double Measured, double Truth)> Doa { get; init; } = [];
}

/// <summary>How a group of turns scored.</summary>
public sealed record HilTurnGroup(int Turns, double WakeRecall, double IntentAccuracy);

/// <summary>Thresholds <c>hil score</c> gates on (exit code 3 below any of them). A key it does not know is an error: a misspelt bar would gate nothing.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record HilThresholds(
    double? IntentAccuracy = null,
    double? WakeRecall = null,
    double? ZoneAccuracy = null,
    double? MaxFalseIntentsPerHour = null,
    double? MaxLatencyP95Ms = null,
    double? EscalationRecall = null,
    double? MaxFalseEscalationsPerHour = null,
    double? CleanIntentAccuracy = null);

/// <summary>
/// Scores what the service published against each scenario's truth, on stream time: a turn's wake
/// must come between the wake word's start and the command's end (+1 s), its intent within 2 s of
/// the command's end with the right intent, slots and zone. Intents matching no turn are false. An
/// expected escalation (emergency command, agitated talker) must come for its seat in its window;
/// later ones for that seat after the onset belong to the same episode; every other is false.
/// </summary>
public static class HilScorer
{
    public const double IntentWindowSeconds = 2.0;

    /// <summary>The <see cref="Interference"/> of a turn nobody else talked over.</summary>
    public const string Clean = "clean";

    public static HilScore Score(string scenariosDirectory, CommandGrammar grammar)
    {
        var dirs = HilTruth.ScenarioDirectories(scenariosDirectory);
        return Score([.. dirs.Select(d => (HilTruth.Load(Path.Combine(d, HilTruth.FileName)), HilRecording.Load(Path.Combine(d, HilRecording.FileName))))], grammar,
            realtime: dirs.Any(RanInRealtime));
    }

    /// <param name="realtime">
    /// Whether the service was fed at the device's pace (<c>hil run --realtime</c>): only then is a message's arrival
    /// time minus the command's end a wall-clock latency; an accelerated run scores none (n/a), not a negative one.
    /// </param>
    public static HilScore Score(IReadOnlyList<(HilTruth Truth, IReadOnlyList<HilMessage>? Recorded)> runs, CommandGrammar grammar, bool realtime = false)
    {
        static bool Finished(IReadOnlyList<HilMessage>? recorded) =>
            recorded is not null && recorded.Any(m => m.IsFinalStatus);

        int turns = 0, intentsRight = 0, wakes = 0, zoneRight = 0, zoneMatched = 0, falseIntents = 0, escalationsExpected = 0, escalationsFound = 0, falseEscalations = 0, notRun = 0;
        double seconds = 0;
        var latencies = new List<double>();
        var escalationLatencies = new List<double>();
        var wall = new List<double>();
        var azErrors = new List<double>();
        var confusions = new List<(string, string)>();
        var doa = new List<(double, double, double)>();
        var bySnr = new Dictionary<string, (int Right, int Total)>();
        var byZone = new Dictionary<string, (int Right, int Total)>();
        var byInterference = new Dictionary<string, (int Turns, int Wakes, int Right)>();

        foreach (var (truth, recorded) in runs)
        {
            // A run counts once the service said it stopped (its final status): one that failed at start, or
            // died mid-stream, heard none or part of the audio, so its audio is not in the per-hour rates.
            if (Finished(recorded)) seconds += truth.DurationSeconds;
            else notRun++;
            var messages = recorded ?? [];
            var intents = messages.Where(m => m.Type == "intent").ToList();
            var wakeEvents = messages.Where(m => m.Type == "wake").ToList();
            var escalations = messages.Where(m => m.Type == "escalation").ToList();
            var usedIntents = new HashSet<HilMessage>();
            var usedEscalations = new HashSet<HilMessage>();
            var snrKey = truth.SnrDb.ToString("0", CultureInfo.InvariantCulture) + " dB";

            foreach (var turn in truth.Turns)
            {
                turns++;
                var woken = wakeEvents.Any(w => w.StreamTime >= turn.WakeStart && w.StreamTime <= turn.CommandEnd + 1.0);
                if (woken) wakes++;
                var heard = intents.FirstOrDefault(i => !usedIntents.Contains(i) && i.StreamTime >= turn.CommandStart && i.StreamTime <= turn.CommandEnd + IntentWindowSeconds);
                var right = heard is not null && IntentMatches(heard, turn);
                if (heard is not null)
                {
                    usedIntents.Add(heard);
                    zoneMatched++;
                    if (heard.Zone == turn.Zone) zoneRight++;
                }
                if (right)
                {
                    intentsRight++;
                    latencies.Add((heard!.StreamTime - turn.CommandEnd) * 1000);
                    if (realtime) wall.Add((heard.ReceivedSeconds - turn.CommandEnd) * 1000);
                }
                confusions.Add((turn.Intent, heard?.Payload.GetProperty("intent").GetString() ?? "none"));
                Count(bySnr, snrKey, right);
                Count(byZone, turn.Zone, right);
                var group = Interference(truth, turn);
                var (n, w, r) = byInterference.GetValueOrDefault(group);
                byInterference[group] = (n + 1, w + (woken ? 1 : 0), r + (right ? 1 : 0));

                if (grammar.Escalations.ContainsKey(turn.Intent))
                {
                    escalationsExpected++;
                    var esc = escalations.FirstOrDefault(e => !usedEscalations.Contains(e) && e.Zone == turn.Zone && e.StreamTime >= turn.CommandStart && e.StreamTime <= turn.CommandEnd + IntentWindowSeconds);
                    if (esc is not null)
                    {
                        usedEscalations.Add(esc);
                        escalationsFound++;
                    }
                }
            }
            foreach (var expected in truth.Escalations)
            {
                escalationsExpected++;
                var esc = escalations.FirstOrDefault(e => !usedEscalations.Contains(e) && e.Zone == expected.Zone && e.StreamTime >= expected.Onset && e.StreamTime <= expected.Deadline);
                if (esc is null) continue;
                escalationsFound++;
                escalationLatencies.Add(esc.StreamTime - expected.Onset);
                // A seat that stays agitated may escalate again at a higher severity: the same episode.
                foreach (var e in escalations.Where(e => e.Zone == expected.Zone && e.StreamTime >= expected.Onset)) usedEscalations.Add(e);
            }
            falseIntents += intents.Count(i => !usedIntents.Contains(i));
            falseEscalations += escalations.Count(e => !usedEscalations.Contains(e));

            // Seat attribution of every talker utterance the front end reported (speech end events).
            foreach (var s in messages.Where(m => m.Type == "speech" && m.Payload.TryGetProperty("end", out var e) && e.ValueKind == JsonValueKind.Number))
            {
                var start = s.Payload.GetProperty("start").GetDouble();
                var end = s.Payload.GetProperty("end").GetDouble();
                var best = truth.Utterances.Where(u => u.Kind == "talker")
                    .Select(u => (u, overlap: Math.Min(end, u.End) - Math.Max(start, u.Start)))
                    .Where(x => x.overlap > 0).OrderByDescending(x => x.overlap).Select(x => x.u).FirstOrDefault();
                if (best is null) continue;
                zoneMatched++;
                if (s.Zone == best.Source) zoneRight++;
                var measured = s.Payload.GetProperty("doaAzimuthDeg").GetDouble();
                azErrors.Add(Math.Abs(Wrap(measured - best.AzimuthDeg)));
                doa.Add((s.StreamTime, measured, best.AzimuthDeg));
            }
        }

        var hours = seconds / 3600;
        return new HilScore
        {
            Scenarios = runs.Count,
            ScenariosNotRun = notRun,
            AudioHours = hours,
            Turns = turns,
            IntentAccuracy = Ratio(intentsRight, turns),
            WakeRecall = Ratio(wakes, turns),
            ZoneAccuracy = Ratio(zoneRight, zoneMatched),
            FalseIntents = falseIntents,
            FalseIntentsPerHour = hours > 0 ? falseIntents / hours : double.NaN,
            EscalationsExpected = escalationsExpected,
            EscalationRecall = Ratio(escalationsFound, escalationsExpected),
            FalseEscalations = falseEscalations,
            FalseEscalationsPerHour = hours > 0 ? falseEscalations / hours : double.NaN,
            EscalationLatenciesS = escalationLatencies,
            EscalationLatencyMaxS = escalationLatencies.Count > 0 ? escalationLatencies.Max() : double.NaN,
            LatencyP50Ms = Percentile(latencies, 0.50),
            LatencyP95Ms = Percentile(latencies, 0.95),
            LatencyP99Ms = Percentile(latencies, 0.99),
            WallLatencyP95Ms = Percentile(wall, 0.95),
            MedianAzimuthErrorDeg = Percentile(azErrors, 0.5),
            IntentAccuracyBySnr = bySnr.OrderBy(k => k.Key, StringComparer.Ordinal).ToDictionary(k => k.Key, k => Ratio(k.Value.Right, k.Value.Total)),
            IntentAccuracyByZone = byZone.OrderBy(k => k.Key, StringComparer.Ordinal).ToDictionary(k => k.Key, k => Ratio(k.Value.Right, k.Value.Total)),
            ByInterference = byInterference.OrderBy(k => k.Key, StringComparer.Ordinal)
                .ToDictionary(k => k.Key, k => new HilTurnGroup(k.Value.Turns, Ratio(k.Value.Wakes, k.Value.Turns), Ratio(k.Value.Right, k.Value.Turns))),
            Confusions = confusions,
            LatenciesMs = latencies,
            Doa = doa,
        };
    }

    /// <summary>The failures against the thresholds, one line each; empty when the run passes.</summary>
    public static IReadOnlyList<string> Check(HilScore score, HilThresholds t)
    {
        var failures = new List<string>();
        void Min(string name, double value, double? bar)
        {
            if (bar is { } b && !(value >= b)) failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value:0.###} below {b:0.###}"));
        }
        void Max(string name, double value, double? bar)
        {
            if (bar is { } b && !(value <= b)) failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value:0.###} above {b:0.###}"));
        }
        Min("intent accuracy", score.IntentAccuracy, t.IntentAccuracy);
        Min("wake recall", score.WakeRecall, t.WakeRecall);
        Min("zone accuracy", score.ZoneAccuracy, t.ZoneAccuracy);
        Max("false intents per hour", score.FalseIntentsPerHour, t.MaxFalseIntentsPerHour);
        Max("p95 latency ms", score.LatencyP95Ms, t.MaxLatencyP95Ms);
        Min("escalation recall", score.EscalationRecall, t.EscalationRecall);
        Max("false escalations per hour", score.FalseEscalationsPerHour, t.MaxFalseEscalationsPerHour);
        Min("intent accuracy on clean turns", score.ByInterference.TryGetValue(Clean, out var clean) ? clean.IntentAccuracy : double.NaN, t.CleanIntentAccuracy);
        return failures;
    }

    /// <summary>
    /// What else was heard over a turn, from its wake word's start to its command's end: "clean", "another
    /// talker" (another seat's utterance), "radio" (a loudspeaker's) or "talker and radio". Overlap is what
    /// the beams cannot take apart, so this is where a suite's misses are read from.
    /// </summary>
    public static string Interference(HilTruth truth, HilTurn turn)
    {
        bool talker = false, radio = false;
        foreach (var u in truth.Utterances)
        {
            if (u.Source == turn.Zone || u.Start >= turn.CommandEnd || u.End <= turn.WakeStart) continue;
            if (u.Kind == "talker") talker = true;
            else radio = true;
        }
        return (talker, radio) switch
        {
            (true, true) => "talker and radio",
            (true, false) => "another talker",
            (false, true) => "radio",
            _ => Clean,
        };
    }

    private static bool IntentMatches(HilMessage heard, HilTurn turn)
    {
        var p = heard.Payload;
        if (p.GetProperty("intent").GetString() != turn.Intent || heard.Zone != turn.Zone) return false;
        var slots = p.TryGetProperty("slots", out var s) && s.ValueKind == JsonValueKind.Object
            ? s.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetString())
            : [];
        return slots.Count == turn.Slots.Count && turn.Slots.All(kv => slots.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static void Count(Dictionary<string, (int Right, int Total)> d, string key, bool right)
    {
        var (r, n) = d.GetValueOrDefault(key);
        d[key] = (r + (right ? 1 : 0), n + 1);
    }

    private static double Ratio(int a, int b) => b == 0 ? double.NaN : (double)a / b;

    private static double Wrap(double deg) => ((deg % 360) + 540) % 360 - 180;

    /// <summary>Whether <c>hil run</c> fed this scenario in real time (its service configuration says so).</summary>
    private static bool RanInRealtime(string scenarioDirectory)
    {
        var path = Path.Combine(scenarioDirectory, HilRunner.ServiceConfigFile);
        if (!File.Exists(path)) return false;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), HilJsonContext.Default.HilServiceConfig)?.StepAudio.Audio.Realtime == true;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(path, $"not a hil run service configuration: {e.Message}");
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var v = values.Order().ToArray();
        return v[Math.Min(v.Length - 1, (int)Math.Ceiling(p * v.Length) - 1)];
    }
}
