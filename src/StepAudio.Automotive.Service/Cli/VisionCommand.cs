using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio vision generate|score</c>: renders a cabin camera recording from face-api's demo photos with
/// mouths moving to seeded speech envelopes (Y4M + truth), and scores the vision stage on one.
/// </summary>
public static class VisionCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr) => new("vision", "Generate and score cabin camera test videos") { Generate(stdout), Score(stdout, stderr), AvGenerate(stdout), AvScore(stdout) };

    private static Command AvGenerate(TextWriter stdout)
    {
        var cabin = new Option<string>("--cabin") { Description = "Cabin profile with a camera section and loudspeakers", Required = true, HelpName = "cabin.json" };
        var output = new Option<string>("--out") { Description = "Directory for the scenario folders", Required = true, HelpName = "dir" };
        var count = new Option<int>("--count") { Description = "Scenarios; every 4th is a radio one", DefaultValueFactory = _ => 24 };
        var seed = new Option<int>("--seed") { Description = "Seed", DefaultValueFactory = _ => 1 };
        var snr = new Option<double>("--snr") { Description = "Road noise SNR, dB", DefaultValueFactory = _ => 15 };
        var command = new Command("av-generate", "Render audio+video scenarios: a wake word and command with a second talker across it, or said by the radio")
        {
            cabin, output, count, seed, snr,
        };
        command.SetAction((parse, ct) =>
        {
            var profilePath = parse.GetRequiredValue(cabin);
            var profile = CabinProfileReader.Load(profilePath);
            if (profile.Camera is null) throw new InvalidInputException(profilePath, "the profile has no camera section");
            var n = parse.GetValue(count);
            if (n is < 1 or > 1000) throw new InvalidInputException("--count", $"{n} must be in [1, 1000]");
            var faces = CabinVideoGenerator.DemoFaces(ModelStore.Default());
            var generator = new AvScenarioGenerator(profile, profilePath, CommandGrammar.Default, new TextToSpeech(), faces) { SnrDb = parse.GetValue(snr) };
            var dir = parse.GetRequiredValue(output);
            for (var i = 0; i < n; i++)
            {
                var truth = generator.Generate(i, parse.GetValue(seed), Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{i:000}")));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{truth.Scenario}: {truth.Kind}{(truth.Turns.Count > 0 ? $" {truth.Turns[0].Zone} \"{truth.Turns[0].Text}\"" : "")}, {truth.DurationSeconds:0.0} s"));
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command AvScore(TextWriter stdout)
    {
        var scenarios = new Option<string>("--scenarios") { Description = "Directory written by av-generate", Required = true, HelpName = "dir" };
        var precision = PrecisionOption();
        var command = new Command("av-score", "Run every AV scenario audio-only and audio-visual; print the wake word's seat accuracy and the intents from the radio") { scenarios, precision };
        command.SetAction((parse, ct) =>
        {
            var scorer = new AvAttributionScorer(ModelStore.Default(), new InferenceOptions { Providers = [InferenceOptions.Cpu] },
                new VisionOptions { Precision = ModelPrecisions.Parse(parse.GetRequiredValue(precision), "--precision") });
            var results = new List<AvScenarioResult>();
            foreach (var dir in HilTruth.ScenarioDirectories(parse.GetRequiredValue(scenarios)))
                foreach (var av in Modes)
                {
                    var r = scorer.Run(dir, av);
                    results.Add(r);
                    stdout.WriteLine($"{r.Scenario} {r.Kind} {(av ? "audio-visual" : "audio-only  ")}: {r.Detail}");
                }
            foreach (var av in Modes)
            {
                var mode = results.Where(r => r.AudioVisual == av).ToList();
                var talk = mode.Where(r => r.Kind != "radio").ToList();
                var radio = mode.Where(r => r.Kind == "radio").ToList();
                int turns = talk.Sum(r => r.Turns), wakes = talk.Sum(r => r.Wakes), right = talk.Sum(r => r.WakeZoneRight), intentsRight = talk.Sum(r => r.IntentRight);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(av ? "audio-visual" : "audio-only")}: second talker: wake seat right {right}/{wakes} ({Percent(right, wakes)}), wakes {wakes}/{turns}, intent right (seat and intent) {intentsRight}/{turns} ({Percent(intentsRight, turns)}), false intents {talk.Sum(r => r.FalseIntents)}; radio ({radio.Count} scenarios): wakes {radio.Sum(r => r.FalseWakes)}, intents {radio.Sum(r => r.FalseIntents)}"));
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static readonly bool[] Modes = [false, true];

    private static Option<string> PrecisionOption() => new("--precision")
    {
        Description = "Face nets: fp32 (the default) or int8 (quantized at models fetch)",
        DefaultValueFactory = _ => "fp32",
    };

    private static string Percent(int a, int b) => b == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * a / b:0.0} %");

    private static Command Generate(TextWriter stdout)
    {
        var cabin = new Option<string>("--cabin") { Description = "Cabin profile with a camera section", Required = true, HelpName = "cabin.json" };
        var output = new Option<string>("--out") { Description = "Y4M to write (mono, the profile's camera resolution)", Required = true, HelpName = "cam.y4m" };
        var truth = new Option<string?>("--truth") { Description = "Truth JSON to write (default: the video's name with .truth.json)", HelpName = "cam.truth.json" };
        var seconds = new Option<double>("--seconds") { Description = "Length", DefaultValueFactory = _ => 20 };
        var fps = new Option<double>("--fps") { Description = "Frame rate", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "Seed of the envelopes, head motion, exposure and noise", DefaultValueFactory = _ => 1 };
        var faceList = new Option<string?>("--faces") { Description = "Comma-separated faces per seat in profile order (e.g. sample6#2); default: the most frontal closed-mouth ones", HelpName = "list" };
        var talkers = new Option<string>("--talkers") { Description = "Comma-separated seats whose mouths move; the others stay closed", DefaultValueFactory = _ => "driver,rear-right" };
        var command = new Command("generate", "Render a cabin camera video of talking and silent occupants from real face photos, with truth")
        {
            cabin, output, truth, seconds, fps, seed, talkers, faceList,
        };
        command.SetAction((parse, ct) =>
        {
            var profile = CabinProfileReader.Load(parse.GetRequiredValue(cabin));
            var camera = profile.Camera ?? throw new InvalidInputException(parse.GetRequiredValue(cabin), "the profile has no camera section");
            var talking = parse.GetRequiredValue(talkers).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var z in talking)
                if (camera.RegionOf(z) is null) throw new InvalidInputException("--talkers", $"'{z}' has no camera region (seats: {string.Join(", ", camera.Seats.Select(s => s.Zone))})");
            if (parse.GetValue(fps) is < 1 or > 240) throw new InvalidInputException("--fps", $"{parse.GetValue(fps)} must be in [1, 240]");
            var duration = parse.GetValue(seconds);
            if (duration is <= 0 or > 600) throw new InvalidInputException("--seconds", $"{duration} must be in (0, 600]");
            var seeded = parse.GetValue(seed);
            // The most frontal, closed-mouth faces of the demo photos, best first, one per seat.
            var faces = CabinVideoGenerator.DemoFaces(ModelStore.Default());
            foreach (var f in faces)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  face {f.Name}: score {f.Score:0.00}, yaw {f.Yaw:0.00}, opening {f.Opening:0.00}, eye distance {f.Landmarks.InterOcularDistance():0} px"));
            if (parse.GetValue(faceList) is { } wanted)
                faces = [.. wanted.Split(',', StringSplitOptions.TrimEntries).Select(n => faces.FirstOrDefault(f => f.Name == n) ?? throw new InvalidInputException("--faces", $"no usable face '{n}' (faces: {string.Join(", ", faces.Select(f => f.Name))})"))];
            var seats = CabinVideoGenerator.Seats(camera, faces, talking, duration, seeded);
            var outPath = parse.GetRequiredValue(output);
            var truthPath = parse.GetValue(truth) ?? Path.ChangeExtension(outPath, ".truth.json");
            new CabinVideoGenerator(camera, seats, parse.GetValue(fps), seeded).Write(outPath, truthPath, duration);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outPath}: {camera.Width}x{camera.Height}, {duration:0.##} s at {parse.GetValue(fps):0.##} fps; seats {string.Join(", ", seats.Select(s => $"{s.Region.Zone}={s.Face.Name}{(talking.Contains(s.Region.Zone) ? " (talking)" : "")}"))}; truth in {truthPath}"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Score(TextWriter stdout, TextWriter stderr)
    {
        var cabin = new Option<string>("--cabin") { Description = "Cabin profile with a camera section", Required = true, HelpName = "cabin.json" };
        var video = new Option<string>("--video") { Description = "Generated Y4M", Required = true, HelpName = "cam.y4m" };
        var truth = new Option<string?>("--truth") { Description = "Its truth JSON (default: the video's name with .truth.json)", HelpName = "cam.truth.json" };
        var redetect = new Option<int>("--redetect") { Description = "Frames between detector runs per tracked seat (1 = every frame)", DefaultValueFactory = _ => 1 };
        var seatEvery = new Option<int>("--seat-every") { Description = "Look at each seat every this many frames, staggered (the service's default is 2)", DefaultValueFactory = _ => 1 };
        var input = new Option<int>("--detector-input") { Description = "Detector input size", DefaultValueFactory = _ => 224 };
        var trace = new Option<string?>("--trace") { Description = "CSV to write: per frame and seat, the lip features and the speech decision", HelpName = "trace.csv" };
        var precision = PrecisionOption();
        var command = new Command("score", "Run the vision stage on a generated video: detection recall, landmark error, visual speech accuracy")
        {
            cabin, video, truth, redetect, seatEvery, input, trace, precision,
        };
        command.SetAction((parse, ct) =>
        {
            var profile = CabinProfileReader.Load(parse.GetRequiredValue(cabin));
            var camera = profile.Camera ?? throw new InvalidInputException(parse.GetRequiredValue(cabin), "the profile has no camera section");
            var videoPath = parse.GetRequiredValue(video);
            if (parse.GetValue(redetect) < 1) throw new InvalidInputException("--redetect", $"{parse.GetValue(redetect)} must be at least 1");
            if (parse.GetValue(seatEvery) is < 1 or > 10) throw new InvalidInputException("--seat-every", $"{parse.GetValue(seatEvery)} must be in [1, 10]");
            var options = new VisionOptions
            {
                RedetectFrames = parse.GetValue(redetect), SeatEvery = parse.GetValue(seatEvery), DetectorInputSize = parse.GetValue(input), ExpressionEvery = 0,
                Precision = ModelPrecisions.Parse(parse.GetRequiredValue(precision), "--precision"),
            };
            var inference = new InferenceOptions { Providers = [InferenceOptions.Cpu] };
            var store = ModelStore.Default();
            using var vision = CabinVision.Load(camera, store, inference, options, new CliLogger(stderr));
            using var traceWriter = parse.GetValue(trace) is { } tracePath ? new StreamWriter(tracePath) : null;
            var score = VisionScorer.Score(camera, vision, videoPath, parse.GetValue(truth) ?? Path.ChangeExtension(videoPath, ".truth.json"), traceWriter);
            stdout.WriteLine(JsonSerializer.Serialize(score, VisionScoreJson.Default.VisionScore));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
