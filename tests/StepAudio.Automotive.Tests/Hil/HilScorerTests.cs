using System.Text.Json;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tests.Hil;

/// <summary>The rig's own scoring: perfect events score 1, wrong seats score 0 on zones, missing recordings are misses.</summary>
public class HilScorerTests
{
    private static readonly string[] Zones = ["driver", "front-passenger", "rear-left", "rear-right"];

    private static HilTruth Truth(string id, double snr) => new(
        id, "cabin.json", "audio.wav", 20, snr,
        [
            new HilTurn("driver", "flite:awb", 1.0, 1.6, "set the temperature to twenty two degrees", "climate.temperature.set", new Dictionary<string, string> { ["celsius"] = "22" }, 2.0, 4.0, 124),
            new HilTurn("rear-left", "flite:rms", 8.0, 8.6, "i need help", "assist.emergency", new Dictionary<string, string>(), 9.0, 10.0, 160),
        ],
        [
            new HilUtterance("talker", "driver", 1.0, 1.6, 124, -40, "hey jarvis", "flite:awb"),
            new HilUtterance("talker", "driver", 2.0, 4.0, 124, -40, "set the temperature to twenty two degrees", "flite:awb"),
            new HilUtterance("talker", "rear-left", 8.0, 8.6, 160, -20, "hey jarvis", "flite:rms"),
            new HilUtterance("talker", "rear-left", 9.0, 10.0, 160, -20, "i need help", "flite:rms"),
            new HilUtterance("loudspeaker", "front-left-door", 12, 14, 100, -40, "and now the news", "espeak-ng:en-gb"),
        ]);

    private static HilMessage Msg(object payload, double received) =>
        new("vehicle/x/voice/v1/event", received, JsonSerializer.SerializeToElement(payload));

    /// <summary>What a perfect service would publish for <paramref name="truth"/>, with every zone passed through <paramref name="zone"/>.</summary>
    private static List<HilMessage> Perfect(HilTruth truth, Func<string, string> zone)
    {
        var list = new List<HilMessage>();
        foreach (var t in truth.Turns)
        {
            list.Add(Msg(new { type = "wake", keyword = "hey_jarvis", zone = zone(t.Zone), confidence = 0.9, streamTime = t.WakeEnd + 0.1 }, t.WakeEnd + 0.15));
            list.Add(Msg(new { type = "intent", intent = t.Intent, slots = t.Slots, zone = zone(t.Zone), confidence = 0.9, utteranceStart = t.CommandStart, utteranceEnd = t.CommandEnd, streamTime = t.CommandEnd + 0.2 }, t.CommandEnd + 0.25));
            if (t.Intent == "assist.emergency")
                list.Add(Msg(new { type = "escalation", reason = "distress", zone = zone(t.Zone), severity = "high", streamTime = t.CommandEnd + 0.2 }, t.CommandEnd + 0.25));
        }
        foreach (var u in truth.Utterances.Where(u => u.Kind == "talker"))
            list.Add(Msg(new { type = "speech", zone = zone(u.Source), start = u.Start, end = u.End, doaAzimuthDeg = u.AzimuthDeg + 2, doaElevationDeg = u.ElevationDeg, streamTime = u.End + 0.1 }, u.End + 0.1));
        list.Add(Stopped(truth));
        return list;
    }

    /// <summary>The service's final status: it played the whole recording.</summary>
    private static HilMessage Stopped(HilTruth truth) => Msg(new { type = "status", state = "stopped", streamTime = truth.DurationSeconds }, truth.DurationSeconds + 0.1);

    [Fact]
    public void TruthWrittenBeforeEmotionScenariosLoadsWithItsDefaults()
    {
        // A truth file from before `kind` and `escalations` existed (CI caches, older scenario sets).
        var path = Path.Combine(TestPaths.NewTempDir(), HilTruth.FileName);
        Truth("old", 10).Save(path);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json.Remove("kind");
        json.Remove("escalations");
        File.WriteAllText(path, json.ToJsonString());

        var truth = HilTruth.Load(path);
        Assert.Equal("commands", truth.Kind);
        Assert.Empty(truth.Escalations);
        var s = HilScorer.Score([(truth, Perfect(truth, z => z))], CommandGrammar.Default);
        Assert.Equal(1.0, s.IntentAccuracy);
    }

    /// <summary>A scenario set of one scenario as the rig leaves it: its truth and what was recorded.</summary>
    private static string ScenarioFolder(HilTruth truth, IEnumerable<HilMessage> recorded)
    {
        var dir = TestPaths.NewTempDir();
        var scenario = Directory.CreateDirectory(Path.Combine(dir, truth.Scenario)).FullName;
        truth.Save(Path.Combine(scenario, "truth.json"));
        using var w = new StreamWriter(Path.Combine(scenario, HilRecording.FileName));
        foreach (var m in recorded) HilRecording.Append(w, m);
        return dir;
    }

    [Fact]
    public void PerfectEventsScoreOne()
    {
        var a = Truth("a", 5);
        var b = Truth("b", 15);
        var s = HilScorer.Score([(a, Perfect(a, z => z)), (b, Perfect(b, z => z))], CommandGrammar.Default);
        Assert.Equal(4, s.Turns);
        Assert.Equal(1.0, s.IntentAccuracy);
        Assert.Equal(1.0, s.WakeRecall);
        Assert.Equal(1.0, s.ZoneAccuracy);
        Assert.Equal(1.0, s.EscalationRecall);
        Assert.Equal(0, s.FalseIntents);
        Assert.Equal(0, s.FalseEscalations);
        Assert.Equal(200, s.LatencyP95Ms, 6);
        Assert.Equal(2.0, s.MedianAzimuthErrorDeg, 6);
        Assert.Equal(1.0, s.IntentAccuracyBySnr["5 dB"]);
        Assert.Empty(HilScorer.Check(s, new HilThresholds(0.95, 0.97, 0.98, 1, 300)));
    }

    [Fact]
    public void TurnsAreGroupedByWhatElseWasHeardOverThem()
    {
        // The first turn has a rear passenger talking over its command and the radio over its wake word; the
        // second has the radio before it only; a third, added here, has a talker in its own seat only.
        var t = Truth("a", 10);
        t = t with
        {
            Turns = [.. t.Turns, new HilTurn("rear-right", "flite:awb", 16.0, 16.6, "next song", "media.next", new Dictionary<string, string>(), 17.0, 18.0, -160)],
            Utterances =
            [
                .. t.Utterances,
                new HilUtterance("talker", "rear-right", 3.5, 6.0, -160, -20, "what a long day", "flite:awb"),
                new HilUtterance("loudspeaker", "front-left-door", 0.5, 1.2, 100, -40, "the weather", "espeak-ng:en-gb"),
                new HilUtterance("loudspeaker", "front-left-door", 6.0, 7.9, 100, -40, "and sport", "espeak-ng:en-gb"),
                new HilUtterance("talker", "rear-right", 16.0, 16.6, -160, -20, "hey jarvis", "flite:awb"),
                new HilUtterance("talker", "rear-right", 17.0, 18.0, -160, -20, "next song", "flite:awb"),
            ],
        };
        Assert.Equal("talker and radio", HilScorer.Interference(t, t.Turns[0]));
        Assert.Equal("clean", HilScorer.Interference(t, t.Turns[1]));
        Assert.Equal("clean", HilScorer.Interference(t, t.Turns[2]));

        // The overlapped turn woke the service but its intent never came; the clean ones were perfect.
        var events = Perfect(t, z => z).Where(m => !(m.Type == "intent" && m.Zone == "driver")).ToList();
        var s = HilScorer.Score([(t, events)], CommandGrammar.Default);
        Assert.Equal(new HilTurnGroup(1, 1.0, 0.0), s.ByInterference["talker and radio"]);
        Assert.Equal(new HilTurnGroup(2, 1.0, 1.0), s.ByInterference["clean"]);
        Assert.Equal(2, s.ByInterference.Count);
        Assert.Contains("| talker and radio | 1 | 100.0 % | 0.0 % |", HilReport.Markdown(s, []));

        // Gating on the clean turns alone: they are all right here; drop one and the gate fails.
        Assert.Empty(HilScorer.Check(s, new HilThresholds(CleanIntentAccuracy: 0.9)));
        var missed = HilScorer.Score([(t, events.Where(m => !(m.Type == "intent" && m.Zone == "rear-right")).ToList())], CommandGrammar.Default);
        Assert.Equal(0.5, missed.ByInterference[HilScorer.Clean].IntentAccuracy);
        Assert.Contains("intent accuracy on clean turns 0.5 below 0.9", HilScorer.Check(missed, new HilThresholds(CleanIntentAccuracy: 0.9)));
    }

    [Fact]
    public void ShiftedZonesScoreZeroOnZonesAndIntents()
    {
        var a = Truth("a", 10);
        var shifted = Perfect(a, z => Zones[(Array.IndexOf(Zones, z) + 1) % Zones.Length]);
        var s = HilScorer.Score([(a, shifted)], CommandGrammar.Default);
        Assert.Equal(0.0, s.ZoneAccuracy);
        Assert.Equal(0.0, s.IntentAccuracy);
        Assert.Equal(1.0, s.WakeRecall); // the wake word was heard, just in the wrong seat
        Assert.Equal(0.0, s.EscalationRecall);
        Assert.Contains("intent accuracy 0 below 0.95", HilScorer.Check(s, new HilThresholds(IntentAccuracy: 0.95)));
    }

    [Fact]
    public void MissingRecordingsCountAsMisses()
    {
        var a = Truth("a", 10);
        var b = Truth("b", 10);
        var s = HilScorer.Score([(a, Perfect(a, z => z)), (b, null)], CommandGrammar.Default);
        Assert.Equal(1, s.ScenariosNotRun);
        Assert.Equal(0.5, s.IntentAccuracy);
        Assert.Equal(0.5, s.WakeRecall);
    }

    [Fact]
    public void AServiceThatNeverFinishedIsNotRunAndItsAudioIsNoHourOfCalm()
    {
        // b's service failed at start (bad configuration): it published nothing, not even its final status.
        var a = Truth("a", 10);
        var b = Truth("b", 10);
        var falseIntent = Msg(new { type = "intent", intent = "media.play", slots = new { }, zone = "front-passenger", confidence = 0.6, utteranceStart = 15.0, utteranceEnd = 16.0, streamTime = 16.2 }, 16.3);
        var s = HilScorer.Score([(a, [.. Perfect(a, z => z), falseIntent]), (b, [])], CommandGrammar.Default);
        Assert.Equal(1, s.ScenariosNotRun);
        Assert.Equal(0.5, s.IntentAccuracy);
        Assert.Equal(a.DurationSeconds / 3600, s.AudioHours, 9);
        Assert.Equal(1 / (a.DurationSeconds / 3600), s.FalseIntentsPerHour, 6);
    }

    [Fact]
    public void IntentsOutsideAnyTurnAreFalseAndLateOnesMiss()
    {
        var a = Truth("a", 10);
        var events = Perfect(a, z => z);
        events.RemoveAll(m => m.Type == "intent" && m.Zone == "driver");
        events.Add(Msg(new { type = "intent", intent = "climate.temperature.set", slots = new { celsius = "22" }, zone = "driver", confidence = 0.9, utteranceStart = 2.0, utteranceEnd = 4.0, streamTime = 4.0 + HilScorer.IntentWindowSeconds + 0.5 }, 7));
        events.Add(Msg(new { type = "intent", intent = "media.play", slots = new { }, zone = "front-passenger", confidence = 0.6, utteranceStart = 15.0, utteranceEnd = 16.0, streamTime = 16.2 }, 16.3));
        var s = HilScorer.Score([(a, events)], CommandGrammar.Default);
        Assert.Equal(0.5, s.IntentAccuracy);
        Assert.Equal(2, s.FalseIntents);
        Assert.Equal(2 / (20.0 / 3600), s.FalseIntentsPerHour, 6);
        Assert.Contains(("climate.temperature.set", "none"), s.Confusions);
    }

    [Fact]
    public void ScoringADirectoryFindsTruthAndRecordings()
    {
        var a = Truth("a", 10);
        var s = HilScorer.Score(ScenarioFolder(a, Perfect(a, z => z)), CommandGrammar.Default);
        Assert.Equal(1.0, s.IntentAccuracy);
        Assert.Throws<InvalidInputException>(() => HilScorer.Score(TestPaths.NewTempDir(), CommandGrammar.Default));
    }

    [Fact]
    public async Task AThresholdsFileWithAKeyThatGatesNothingIsAnError()
    {
        // A misspelt bar would otherwise gate nothing and pass every run.
        var a = Truth("a", 10);
        var folder = ScenarioFolder(a, Perfect(a, z => z));
        var bars = Path.Combine(TestPaths.NewTempDir(), "bars.json");
        File.WriteAllText(bars, """{ "intentAccuracy": 0.9, "cleanIntentAcuracy": 0.9 }""");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudio.Automotive.Service.Cli.StepAudioCli.InvokeAsync(["hil", "score", "--scenarios", folder, "--thresholds", bars], stdout, stderr);
        Assert.Equal(StepAudio.Automotive.Service.Cli.ExitCodes.BadInput, code);
        Assert.Contains(bars, stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("cleanIntentAcuracy", stderr.ToString(), StringComparison.Ordinal);

        File.WriteAllText(bars, """{ "intentAccuracy": 0.9, "cleanIntentAccuracy": 0.9 }""");
        code = await StepAudio.Automotive.Service.Cli.StepAudioCli.InvokeAsync(["hil", "score", "--scenarios", folder, "--thresholds", bars], stdout, stderr);
        Assert.Equal(StepAudio.Automotive.Service.Cli.ExitCodes.Ok, code);
    }

    [Fact]
    public void WallLatencyIsScoredOnlyForRealtimeRuns()
    {
        var a = Truth("a", 10);
        // Perfect intents arrive 250 ms after the command's end.
        Assert.Equal(250, HilScorer.Score([(a, Perfect(a, z => z))], CommandGrammar.Default, realtime: true).WallLatencyP95Ms, 6);
        // An accelerated run's arrival times are not latencies: none, rather than a meaningless (often negative) number.
        Assert.True(double.IsNaN(HilScorer.Score([(a, Perfect(a, z => z))], CommandGrammar.Default).WallLatencyP95Ms));
        var folder = ScenarioFolder(a, Perfect(a, z => z));
        Assert.True(double.IsNaN(HilScorer.Score(folder, CommandGrammar.Default).WallLatencyP95Ms));
        // The service configuration hil run left beside the recording says how it was fed.
        File.WriteAllText(Path.Combine(folder, a.Scenario, HilRunner.ServiceConfigFile), System.Text.Json.JsonSerializer.Serialize(
            new HilServiceConfig(new HilServiceSettings("cabin.json", "events.jsonl", new HilServiceAudio("wav", "audio.wav", Realtime: true, EchoReferences: 0),
                new HilServiceMqtt("mqtt://localhost:1883", a.Scenario, "outbox.db", 60, 600))), HilJsonContext.Default.HilServiceConfig));
        Assert.Equal(250, HilScorer.Score(folder, CommandGrammar.Default).WallLatencyP95Ms, 6);
    }

    [Fact]
    public void AMessageDeliveredTwiceIsScoredOnce()
    {
        var a = Truth("a", 10);
        var falseIntent = Msg(new { type = "intent", intent = "media.play", slots = new { }, zone = "front-passenger", confidence = 0.6, utteranceStart = 15.0, utteranceEnd = 16.0, streamTime = 16.2, messageId = "m-1" }, 16.3);
        var escalation = Msg(new { type = "escalation", reason = "agitation", zone = "rear-right", severity = "medium", streamTime = 17.0, messageId = "m-2" }, 17.1);
        // The broker redelivers both (QoS 1, same messageId) a moment later.
        var recorded = Perfect(a, z => z).Concat([falseIntent, escalation, falseIntent with { ReceivedSeconds = 18 }, escalation with { ReceivedSeconds = 18 }]);
        var s = HilScorer.Score(ScenarioFolder(a, recorded), CommandGrammar.Default);
        Assert.Equal(1, s.FalseIntents);
        Assert.Equal(1, s.FalseEscalations);
    }
}
