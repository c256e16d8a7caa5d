using System.CommandLine;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Training;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio train wake|commands|evaluate</c>: trains the project's own heads on TTS speech
/// rendered through the simulated cabins (training voices only), and measures them on the
/// held-out acceptance voices.
/// </summary>
public static class TrainCommand
{
    public static Command Build(TextWriter stdout)
    {
        var command = new Command("train", "Train the project's own wake-word and command heads, or measure them on held-out voices");
        command.Subcommands.Add(Wake(stdout));
        command.Subcommands.Add(Commands(stdout));
        command.Subcommands.Add(Evaluate(stdout));
        return command;
    }

    private sealed class Common
    {
        public Option<string> Out { get; } = new("--out") { Description = "Folder for the trained heads", DefaultValueFactory = _ => "models/trained", HelpName = "dir" };
        public Option<string> Grammar { get; } = new("--grammar") { Description = "Command grammar", DefaultValueFactory = _ => "models/grammar/incar-en.yaml", HelpName = "grammar.yaml" };
        public Option<string[]> Cabins { get; } = new("--cabin") { Description = "Cabin profiles to render through", DefaultValueFactory = _ => ["deploy/cabins/sedan-console-circular.json", "deploy/cabins/sedan-headliner-linear.json"], AllowMultipleArgumentsPerToken = true, HelpName = "profile.json" };
        public Option<string?> Cache { get; } = new("--models") { Description = "Model cache (features are cached in its training-features folder)", HelpName = "dir" };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the clips, the split and the training", DefaultValueFactory = _ => 1 };
        public Option<int> Epochs { get; } = new("--epochs") { Description = "Most epochs (early stopping on the validation loss)", DefaultValueFactory = _ => 40 };
        public Option<int> Patience { get; } = new("--patience") { Description = "Stop after this many epochs without a better validation loss", DefaultValueFactory = _ => 10 };
        public Option<string> Manifest { get; } = new("--manifest") { Description = "Model manifest whose trained section records the written heads (SHA-256, size)", DefaultValueFactory = _ => "models/manifest.json", HelpName = "manifest.json" };

        public void AddTo(Command c)
        {
            c.Options.Add(Out);
            c.Options.Add(Grammar);
            c.Options.Add(Cabins);
            c.Options.Add(Cache);
            c.Options.Add(Seed);
            c.Options.Add(Epochs);
            c.Options.Add(Manifest);
            c.Options.Add(Patience);
        }

        public (TrainingContext Context, CommandGrammar Grammar) Open(ParseResult parse, TextWriter log)
        {
            var store = ModelStore.Default(parse.GetValue(Cache));
            var grammar = CommandGrammar.Load(parse.GetRequiredValue(Grammar));
            return (new TrainingContext(parse.GetRequiredValue(Cabins), store, parse.GetValue(Seed), log), grammar);
        }

        public TrainerOptions Trainer(ParseResult parse, double noneShare) =>
            new() { Seed = parse.GetValue(Seed), MaxEpochs = parse.GetValue(Epochs), Patience = parse.GetValue(Patience), NoneShare = noneShare };
    }

    private static Command Wake(TextWriter stdout)
    {
        var common = new Common();
        var positives = new Option<int>("--positives") { Description = "\"hey jarvis\" clips", DefaultValueFactory = _ => 1500 };
        var negatives = new Option<int>("--negatives") { Description = "Non-wake clips (commands, near misses, chatter, radio, noise)", DefaultValueFactory = _ => 2500 };
        var hard = new Option<int>("--hard-negatives") { Description = "Extra non-wake clips of two or three chatter sentences in a row (conversation)", DefaultValueFactory = _ => 0 };
        var interfered = new Option<int>("--interfered-positives") { Description = "Extra \"hey jarvis\" clips with another talker or the radio speaking over them", DefaultValueFactory = _ => 0 };
        var speed = new Option<bool>("--speed-perturb") { Description = "Add flite's clips again resampled by 0.9 or 1.1 (speed perturbation: pseudo-speakers with other vocal-tract lengths)" };
        var c = new Command("wake", "Train the \"hey jarvis\" wake-word head (hey_jarvis.onnx: [1,16,96] → [1,1])") { positives, negatives, hard, interfered, speed };
        common.AddTo(c);
        c.SetAction((parse, ct) =>
        {
            var (context, grammar) = common.Open(parse, stdout);
            using (context)
                HeadTraining.TrainWake(context, grammar, parse.GetRequiredValue(common.Out), parse.GetValue(common.Manifest), parse.GetValue(positives), parse.GetValue(negatives), common.Trainer(parse, 0.6), parse.GetValue(hard), parse.GetValue(interfered), parse.GetValue(speed));
            return Task.FromResult(ExitCodes.Ok);
        });
        return c;
    }

    private static Command Commands(TextWriter stdout)
    {
        var common = new Common();
        var perPhrase = new Option<int>("--per-phrase") { Description = "Clips per grammar phrase", DefaultValueFactory = _ => 40 };
        var none = new Option<int>("--none") { Description = "None-class clips (truncated commands, chatter, radio, wake alone, noise)", DefaultValueFactory = _ => 1200 };
        var interfered = new Option<int>("--interfered") { Description = "Extra clips per phrase with another talker or the radio speaking over the command", DefaultValueFactory = _ => 0 };
        var frame = new Option<int>("--frame-width") { Description = "Outputs of the frame layer per step", DefaultValueFactory = _ => HeadTraining.FrameWidth };
        var kernel = new Option<int>("--kernel") { Description = "Neighbouring embeddings the frame layer reads at once (a temporal convolution)", DefaultValueFactory = _ => HeadTraining.CommandKernel };
        var hidden = new Option<int[]>("--hidden") { Description = "Dense layer widths after the frame layer", DefaultValueFactory = _ => HeadTraining.CommandHidden, AllowMultipleArgumentsPerToken = true };
        var noise = new Option<float>("--input-noise") { Description = "Deviation of the Gaussian noise added to standardised training embeddings", DefaultValueFactory = _ => HeadTraining.CommandInputNoise };
        var dropout = new Option<float>("--dropout") { Description = "Dropout of the hidden units in training", DefaultValueFactory = _ => HeadTraining.CommandDropout };
        var speed = new Option<bool>("--speed-perturb") { Description = "Add flite's clips again resampled by 0.9 or 1.1 (speed perturbation: pseudo-speakers with other vocal-tract lengths)" };
        var c = new Command("commands", "Train the in-car command head (commands-en.onnx: [1,40,96] → [1,C+1], and commands-en.labels.json)") { perPhrase, none, interfered, frame, kernel, hidden, noise, dropout, speed };
        common.AddTo(c);
        c.SetAction((parse, ct) =>
        {
            var (context, grammar) = common.Open(parse, stdout);
            using (context)
                HeadTraining.TrainCommands(context, grammar, parse.GetRequiredValue(common.Grammar), parse.GetRequiredValue(common.Out), parse.GetValue(common.Manifest), parse.GetValue(perPhrase), parse.GetValue(none), parse.GetValue(interfered),
                    common.Trainer(parse, 0.3) with { InputNoise = parse.GetValue(noise), Dropout = parse.GetValue(dropout) },
                    new HeadTraining.CommandShape(parse.GetValue(frame), parse.GetValue(kernel), parse.GetRequiredValue(hidden)), parse.GetValue(speed));
            return Task.FromResult(ExitCodes.Ok);
        });
        return c;
    }

    private static Command Evaluate(TextWriter stdout)
    {
        var common = new Common();
        var wake = new Option<int>("--wake") { Description = "Held-out \"hey jarvis\" clips per SNR band", DefaultValueFactory = _ => 150 };
        var negatives = new Option<int>("--negatives") { Description = "Held-out non-wake clips per SNR band", DefaultValueFactory = _ => 200 };
        var perPhrase = new Option<int>("--per-phrase") { Description = "Held-out clips per grammar phrase and SNR band", DefaultValueFactory = _ => 4 };
        var pretrained = new Option<bool>("--compare-pretrained") { Description = "Also score openWakeWord's pretrained hey_jarvis_v0.1 (demo licence) on the same clips" };
        var report = new Option<string?>("--report") { Description = "Write the Markdown table here too", HelpName = "file.md" };
        var endSteps = new Option<int>("--end-steps") { Description = "Steps after the command's end averaged by the end rule (StepAudio:Commands:EndSteps)", DefaultValueFactory = _ => CommandOptions.DefaultEndSteps };
        var transcriber = new Option<bool>("--transcriber") { Description = "Measure the transcriber's commands (Moonshine tiny over the grammar, StepAudio:Commands:Recognizer transcriber) instead of the heads; --negatives non-command sentences per band" };
        var maxDeficit = new Option<float>("--max-deficit") { Description = "The transcriber's StepAudio:Commands:MaxDeficit", DefaultValueFactory = _ => CommandOptions.DefaultMaxDeficit };
        var c = new Command("evaluate", "Measure the trained heads on the held-out voices (flite awb, rms) through the simulated cabins") { wake, negatives, perPhrase, pretrained, report, endSteps, transcriber, maxDeficit };
        common.AddTo(c);
        c.SetAction((parse, ct) =>
        {
            var (context, grammar) = common.Open(parse, stdout);
            using (context)
            {
                var store = ModelStore.Default(parse.GetValue(common.Cache));
                if (parse.GetValue(transcriber))
                {
                    using var commands = CommandTranscriber.For(new SpeechTranscriber(SpeechTranscriberPaths.From(store), new InferenceOptions()), grammar, new CommandOptions { MaxDeficit = parse.GetValue(maxDeficit), EscalationMaxDeficit = Math.Min(parse.GetValue(maxDeficit), CommandOptions.DefaultEscalationMaxDeficit) });
                    using var head = new HeadRunner(Path.Combine(parse.GetRequiredValue(common.Out), HeadTraining.CommandsFile));
                    var table = TranscriberEvaluation.Run(context, grammar, commands, head, parse.GetValue(perPhrase), parse.GetValue(negatives), parse.GetValue(common.Seed) + 1000);
                    if (parse.GetValue(report) is { } file) File.WriteAllText(file, table);
                    return Task.FromResult(ExitCodes.Ok);
                }
                var md = HeldOutEvaluation.Run(context, grammar, parse.GetRequiredValue(common.Out),
                    parse.GetValue(pretrained) ? store.Require("hey_jarvis_v0.1") : null,
                    parse.GetValue(wake), parse.GetValue(negatives), parse.GetValue(perPhrase), parse.GetValue(common.Seed) + 1000, parse.GetValue(endSteps));
                if (parse.GetValue(report) is { } path) File.WriteAllText(path, md);
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return c;
    }
}
