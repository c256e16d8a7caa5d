using System.Diagnostics;
using System.Globalization;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// <c>stepaudio train wake|commands</c>: builds the clips, embeds them (cached), trains the head,
/// and writes it to the output folder with the project's ONNX writer.
/// </summary>
public static class HeadTraining
{
    public const string WakeFile = "hey_jarvis.onnx";
    public const string CommandsFile = "commands-en.onnx";
    public const string LabelsFile = "commands-en.labels.json";

    /// <summary>Per-embedding frame layer width, then the dense layers: small, as the data is (a few thousand clips).</summary>
    public const int FrameWidth = 32;

    public static readonly int[] WakeHidden = [64];

    public static readonly int[] CommandHidden = [128];

    /// <summary>The command head's frame layer reads this many neighbouring embeddings (a temporal convolution).</summary>
    public const int CommandKernel = 3;

    public const float CommandInputNoise = 0.3f;

    public const float CommandDropout = 0.1f;

    public const string WakeId = "hey_jarvis";
    public const string CommandsId = "commands-en";
    public const string LabelsId = "commands-en.labels";

    public static MlpClassifier TrainWake(TrainingContext context, CommandGrammar grammar, string outDir, string? manifest, int positives, int negatives, TrainerOptions options, int hardNegatives = 0, int interferedPositives = 0, bool speedPerturb = false)
    {
        var clock = Stopwatch.StartNew();
        var plans = WakeWordCorpus.Training(grammar, positives, negatives, options.Seed, hardNegatives, interferedPositives, speedPerturb);
        var (train, val) = context.Build(plans, 2, "wake");
        Describe(context.Log, "wake", train, val);
        var model = HeadTrainer.Train(new MlpClassifier(WakeWordCorpus.Window, WakeHidden, 1, options.Seed, FrameWidth), train, val, options, context.Log);
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, WakeFile);
        File.WriteAllBytes(path, HeadExporter.ToOnnx(model, "hey_jarvis",
            $"StepAudio.Automotive 'hey jarvis' wake-word head, trained by the project (stepaudio train wake); input [1,{WakeWordCorpus.Window},96] openWakeWord embeddings, output [1,1] score"));
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({new FileInfo(path).Length} bytes) in {clock.Elapsed.TotalSeconds:0} s"));
        Record(context.Log, manifest, WakeId, path, "our own 'hey jarvis' wake-word head: [1,16,96] openWakeWord embeddings -> [1,1] score (stepaudio train wake)");
        return model;
    }

    /// <summary>The command head's shape: frame layer width, its temporal kernel (neighbouring embeddings read at once), and the dense layers.</summary>
    public sealed record CommandShape(int FrameWidth, int Kernel, int[] Hidden);

    public static MlpClassifier TrainCommands(TrainingContext context, CommandGrammar grammar, string grammarPath, string outDir, string? manifest, int perPhrase, int none, int interfered, TrainerOptions options, CommandShape shape, bool speedPerturb = false)
    {
        var clock = Stopwatch.StartNew();
        var plans = CommandCorpus.Training(grammar, perPhrase, none, options.Seed, interfered, speedPerturb);
        var classes = grammar.Phrases.Count + 1;
        var (train, val) = context.Build(plans, classes, "commands");
        Describe(context.Log, "commands", train, val);
        var model = HeadTrainer.Train(new MlpClassifier(CommandCorpus.Window, shape.Hidden, classes, options.Seed, shape.FrameWidth, shape.Kernel), train, val, options, context.Log);
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, CommandsFile);
        File.WriteAllBytes(path, HeadExporter.ToOnnx(model, "commands_en",
            $"StepAudio.Automotive in-car command head over {grammarPath}, trained by the project (stepaudio train commands); input [1,{CommandCorpus.Window},96] openWakeWord embeddings, output [1,{classes}] probabilities (0 = none; labels in {LabelsFile})"));
        File.WriteAllBytes(Path.Combine(outDir, LabelsFile), CommandLabels.Write(grammar, grammarPath, CommandCorpus.Window, HeadExporter.InputName, HeadExporter.ProbabilitiesName));
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({new FileInfo(path).Length} bytes) and {LabelsFile} in {clock.Elapsed.TotalSeconds:0} s"));
        Record(context.Log, manifest, CommandsId, path, $"our own in-car command head over {grammarPath}: [1,{CommandCorpus.Window},96] embeddings -> [1,{classes}] probabilities, 0 = none (stepaudio train commands)");
        Record(context.Log, manifest, LabelsId, Path.Combine(outDir, LabelsFile), "the command head's outputs: intent, phrase and slots per class");
        return model;
    }

    private static void Record(TextWriter log, string? manifest, string id, string path, string purpose)
    {
        if (manifest is null || !File.Exists(manifest)) return;
        log.WriteLine(TrainedManifest.Update(manifest, id, path, purpose)
            ? $"{manifest}: trained.{id} updated"
            : $"{manifest}: not updated ({path} is outside its repository)");
    }

    private static void Describe(TextWriter log, string what, TrainingSet train, TrainingSet val)
    {
        var counts = train.CountPerClass();
        log.WriteLine($"{what}: {train.Clips.Count} training clips ({train.Windows.Count} windows: {counts[0]} none, {counts.Skip(1).Sum()} positive over {counts.Skip(1).Count(c => c > 0)} classes), {val.Clips.Count} validation clips ({val.Windows.Count} windows)");
    }
}
