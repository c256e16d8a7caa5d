using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio hil generate|run|score</c>: the hardware-in-loop rig. Scenarios come from the cabin
/// simulator and TTS; <c>run</c> plays them into the real service over a real broker; <c>score</c>
/// rates what came out and writes the report, failing below the thresholds.
/// </summary>
public static class HilCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr) =>
        new("hil", "Hardware-in-loop rig: generate scenarios, run them through the service, score the results")
        {
            Generate(stdout),
            Run(stdout),
            Score(stdout, stderr),
        };

    private static Command Generate(TextWriter stdout)
    {
        var profile = new Option<string>("--profile") { Description = "Cabin profile", Required = true, HelpName = "cabin.json" };
        var count = new Option<int>("--count") { Description = "Number of scenarios", DefaultValueFactory = _ => 10 };
        var first = new Option<int>("--first") { Description = "Index of the first scenario (a seeded set can be generated, run and deleted in parts: the same seed and index give the same scenario)", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed gives the same scenarios", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Directory to write one folder per scenario into", Required = true, HelpName = "dir" };
        var snr = new Option<string?>("--snr") { Description = "Road-noise SNRs in dB, cycled over the scenarios (default 5,10,15,20; 10,15,20 for agitated and steady)" };
        var turns = new Option<int>("--turns") { Description = "Wake word + command turns per scenario", DefaultValueFactory = _ => 2 };
        var grammar = new Option<string?>("--grammar") { Description = "Command grammar (default: the built-in incar-en.yaml)", HelpName = "grammar.yaml" };
        var kind = new Option<string>("--kind")
        {
            Description = "commands: wake word + command turns; agitated: a talker getting louder, faster, higher (must escalate); steady: the same talker staying calm; calm: calm multi-talker conversation (no escalation)",
            DefaultValueFactory = _ => "commands",
        };
        kind.AcceptOnlyFromAmong("commands", "agitated", "steady", "calm");
        var seconds = new Option<double>("--seconds") { Description = "Length of each calm conversation scenario", DefaultValueFactory = _ => 300 };
        var video = new Option<bool>("--video")
        {
            Description = "Also render the profile's IR camera (video.y4m, 30 fps): face-api's demo faces in the seats, each mouth moving with its seat's speech, the agitated talker's face turning angry; ~30 MB per second at 1280x800",
        };
        var echoReferences = new Option<bool>("--echo-references")
        {
            Description = "Also write the loudspeakers' feeds (what the head unit plays) after the microphones in audio.wav; hil run then has the service cancel their echo",
        };
        var command = new Command("generate", "Render scenarios (audio.wav + truth.json, and video.y4m with --video) with the cabin simulator and TTS") { profile, count, first, seed, output, snr, turns, grammar, kind, seconds, video, echoReferences };
        command.SetAction((parse, ct) =>
        {
            var profilePath = parse.GetRequiredValue(profile);
            var cabin = CabinProfileReader.Load(profilePath);
            var g = parse.GetValue(grammar) is { } gp ? CommandGrammar.Load(gp) : CommandGrammar.Default;
            var what = parse.GetRequiredValue(kind);
            var snrs = (parse.GetValue(snr) ?? (what is "agitated" or "steady" ? "10,15,20" : "5,10,15,20")).Split(',').Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidInputException("--snr", $"'{x}' is not a number of dB")).ToArray();
            var tts = new TextToSpeech();
            var faces = parse.GetValue(video) ? LoadFaces(cabin, profilePath) : null;
            var references = parse.GetValue(echoReferences);
            var generator = new ScenarioGenerator(cabin, profilePath, g, tts) { SnrDb = snrs, TurnsPerScenario = parse.GetValue(turns), Faces = faces, EchoReferences = references };
            var emotion = new EmotionScenarioGenerator(cabin, profilePath, tts) { SnrDb = snrs, Faces = faces, EchoReferences = references };
            var length = parse.GetValue(seconds);
            if (!(length is >= 10 and <= 3600)) throw new InvalidInputException("--seconds", $"{length} must be in [10, 3600]");
            var outDir = parse.GetRequiredValue(output);
            var n = parse.GetValue(count);
            var from = parse.GetValue(first);
            if (from < 0) throw new InvalidInputException("--first", $"{from} must be ≥ 0");
            for (var i = from; i < from + n; i++)
            {
                ct.ThrowIfCancellationRequested();
                var dir = Path.Combine(outDir, $"{i:000}");
                var s = parse.GetValue(seed);
                var truth = what switch
                {
                    "agitated" => emotion.Agitated(i, s, dir),
                    "steady" => emotion.Agitated(i, s, dir, calm: true),
                    "calm" => emotion.Calm(i, s, dir, length),
                    _ => generator.Generate(i, s, dir),
                };
                var summary = truth.Kind == "commands"
                    ? string.Join("; ", truth.Turns.Select(t => $"{t.Zone}: {t.Text}"))
                    : $"{truth.Kind}, {truth.Utterances.Count} utterances from {string.Join(", ", truth.Utterances.Select(u => u.Source).Distinct())}"
                        + string.Concat(truth.Escalations.Select(e => string.Create(CultureInfo.InvariantCulture, $"; expects {e.Trigger} in {e.Zone} {e.Onset:0.0}-{e.Deadline:0.0} s")));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{truth.Scenario}: {truth.DurationSeconds:0.0} s, SNR {truth.SnrDb:0} dB, {summary}"));
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The six demo photos' faces, for the camera of every seat.</summary>
    private static List<SourceFace> LoadFaces(CabinProfile cabin, string profilePath)
    {
        if (cabin.Camera is null) throw new InvalidInputException(profilePath, "the profile has no camera section for --video");
        return CabinVideoGenerator.DemoPhotoFaces(ModelStore.Default());
    }

    private static Command Run(TextWriter stdout)
    {
        var scenarios = new Option<string>("--scenarios") { Description = "Directory written by hil generate", Required = true, HelpName = "dir" };
        var broker = new Option<string?>("--broker") { Description = "Broker the service publishes to (default: an embedded one for the run)", HelpName = "mqtt://host:port" };
        var realtime = new Option<bool>("--realtime") { Description = "Feed audio at the device's pace (wall-clock latencies), not as fast as possible" };
        var config = new Option<string[]>("--config") { Description = "Extra service configuration file(s)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("run", "Play every scenario into the real service and record what it publishes") { scenarios, broker, realtime, config };
        command.SetAction(async (parse, ct) =>
        {
            var runner = new HilRunner(ServiceCommand(), stdout);
            var failed = await runner.RunAsync(parse.GetRequiredValue(scenarios), new HilRunOptions
            {
                Broker = parse.GetValue(broker),
                Realtime = parse.GetValue(realtime),
                ExtraConfig = parse.GetValue(config) ?? [],
            }, ct);
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Score(TextWriter stdout, TextWriter stderr)
    {
        var scenarios = new Option<string>("--scenarios") { Description = "Directory of run scenarios", Required = true, HelpName = "dir" };
        var thresholds = new Option<string?>("--thresholds") { Description = "JSON thresholds to gate on (intentAccuracy, wakeRecall, zoneAccuracy, maxFalseIntentsPerHour, maxLatencyP95Ms, escalationRecall, maxFalseEscalationsPerHour, cleanIntentAccuracy)", HelpName = "thresholds.json" };
        var report = new Option<string?>("--report") { Description = "Directory for report.md and report.html (default: the scenarios directory)", HelpName = "dir" };
        var command = new Command("score", "Score the recorded events against the truth and write the report") { scenarios, thresholds, report };
        command.SetAction((parse, ct) =>
        {
            var dir = parse.GetRequiredValue(scenarios);
            var score = HilScorer.Score(dir, CommandGrammar.Default);
            var bars = parse.GetValue(thresholds) is { } t ? LoadThresholds(t) : new HilThresholds();
            var failures = HilScorer.Check(score, bars);
            var outDir = parse.GetValue(report) ?? dir;
            Directory.CreateDirectory(outDir);
            var markdown = HilReport.Markdown(score, failures);
            File.WriteAllText(Path.Combine(outDir, "report.md"), markdown);
            File.WriteAllText(Path.Combine(outDir, "report.html"), HilReport.Html(score, failures));
            stdout.Write(markdown);
            foreach (var f in failures) stderr.WriteLine($"stepaudio: hil score: {f}");
            return Task.FromResult(failures.Count == 0 ? ExitCodes.Ok : ExitCodes.BelowThreshold);
        });
        return command;
    }

    private static HilThresholds LoadThresholds(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), HilJsonContext.Default.HilThresholds) ?? new HilThresholds();
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new InvalidInputException(path, "cannot read thresholds: " + e.Message);
        }
    }

    /// <summary>How to start this same service as a separate process (apphost, or dotnet + stepaudio.dll).</summary>
    private static string[] ServiceCommand()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate the running executable");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, "stepaudio.dll")]
            : [process];
    }
}
