using System.Text.Json;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Tools.Training;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Training;

/// <summary>
/// The committed heads in models/trained (ours, default build): their contracts, their manifest
/// pins, and what they do on held-out voices (flite awb, rms: never trained on) through a simulated cabin.
/// </summary>
public class TrainedHeadTests(ITestOutputHelper output)
{
    private static readonly CommandGrammar Grammar = CommandGrammar.Load(Path.Combine(TestPaths.RepoRoot, "models", "grammar", "incar-en.yaml"));

    private static string Trained(string file) => Path.Combine(TestPaths.RepoRoot, "models", "trained", file);

    [Fact]
    public void HeadsLoadInOnnxRuntimeWithTheirContractShapes()
    {
        using (var wake = new OnnxModel(Trained(HeadTraining.WakeFile), new InferenceOptions()))
        {
            var input = Assert.Single(wake.Inputs).Value;
            var score = Assert.Single(wake.Outputs).Value;
            Assert.Equal([1L, 16, 96], input.Shape);
            Assert.Equal([1L, 1], score.Shape);
        }
        using var commands = new OnnxModel(Trained(HeadTraining.CommandsFile), new InferenceOptions());
        Assert.Equal([1L, CommandCorpus.Window, 96], commands.Input(HeadExporter.InputName).Shape);
        Assert.Equal([1L, Grammar.Phrases.Count + 1], commands.Output(HeadExporter.ProbabilitiesName).Shape);
        // A softmax: the outputs of any input sum to one.
        commands.Input(HeadExporter.InputName).Floats.Fill(0.3f);
        commands.Run();
        Assert.Equal(1.0, commands.Output(HeadExporter.ProbabilitiesName).Floats.ToArray().Sum(), 3);
    }

    [Fact]
    public void LabelsMatchTheGrammarOneToOne()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Trained(HeadTraining.LabelsFile)));
        var root = doc.RootElement;
        Assert.Equal("models/grammar/incar-en.yaml", root.GetProperty("grammar").GetString());
        Assert.Equal(CommandCorpus.Window, root.GetProperty("window").GetInt32());
        var labels = root.GetProperty("labels").EnumerateArray().ToArray();
        Assert.Equal(JsonValueKind.Null, labels[0].GetProperty("intent").ValueKind);
        Assert.Equal(Grammar.Phrases.Count + 1, labels.Length);
        for (var k = 0; k < Grammar.Phrases.Count; k++)
        {
            var phrase = Grammar.Phrases[k];
            var label = labels[k + 1];
            Assert.Equal(phrase.Intent, label.GetProperty("intent").GetString());
            Assert.Equal(phrase.Text, label.GetProperty("text").GetString());
            var slots = label.GetProperty("slots").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Equal(phrase.Slots.OrderBy(s => s.Key), slots.OrderBy(s => s.Key)!);
        }
        // Every label is a grammar phrase and every phrase has exactly one label.
        Assert.Equal(Grammar.Phrases.Select(p => p.Text).Order(), labels.Skip(1).Select(l => l.GetProperty("text").GetString()!).Order());
    }

    [Fact]
    public void ManifestPinsTheCommittedFilesAndTheStoreResolvesThem()
    {
        var manifest = ModelManifest.BuiltIn;
        foreach (var id in new[] { HeadTraining.WakeId, HeadTraining.CommandsId, HeadTraining.LabelsId })
        {
            var model = manifest.TrainedModel(id);
            Assert.NotNull(model);
            Assert.Equal(model.Sha256, ModelStore.Sha256Of(Path.Combine(TestPaths.RepoRoot, model.Path)));
            // Found beside the binary (the service build copies models/trained) with the pinned hash.
            var resolved = TestModels.Store.Require(id);
            Assert.Equal(model.Sha256, ModelStore.Sha256Of(resolved));
        }
        Assert.Equal(WakeHead.DefaultModel, HeadTraining.WakeId);
    }

    [Fact]
    public void StoreRejectsATrainedFileWithTheWrongHash()
    {
        var dir = TestPaths.NewTempDir();
        var model = new TrainedModel("hey_jarvis_test", "models/trained/nowhere_test.onnx", new string('0', 64), TrainedManifest.Licence);
        var store = new ModelStore(dir, new ModelManifest([]) { Trained = [model] });
        var missing = Assert.Throws<InvalidInputException>(() => store.Require("hey_jarvis_test"));
        Assert.Contains("missing", missing.Message, StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(dir, ModelStore.TrainedFolder));
        File.WriteAllText(Path.Combine(dir, ModelStore.TrainedFolder, "nowhere_test.onnx"), "not a model");
        var wrong = Assert.Throws<InvalidInputException>(() => store.Require("hey_jarvis_test"));
        Assert.Contains("SHA-256 mismatch", wrong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("flite:awb", "driver", 15.0)]
    [InlineData("flite:rms", "rear-left", 12.0)]
    public void OwnWakeHeadFiresOnAHeldOutVoiceThroughTheCabinButNotOnACommand(string voice, string zone, double snr)
    {
        var heard = Detections(Mic(Scene(zone, snr, (0.8, "hey jarvis", voice))));
        output.WriteLine($"{voice} 'hey jarvis': {string.Join(", ", heard.Select(d => $"{d.Score:F3}@{d.StreamTime:F2}s"))}");
        var d = Assert.Single(heard);
        Assert.InRange(d.StreamTime, 0.8, 3.0);

        var command = Detections(Mic(Scene(zone, snr, (0.8, "turn on the air conditioning", voice))));
        output.WriteLine($"{voice} command: {command.Count} detection(s)");
        Assert.Empty(command);
    }

    [Theory]
    [InlineData("flite:awb", "set the temperature to twenty one degrees")]
    [InlineData("flite:rms", "open my window")]
    [InlineData("flite:rms", "call roadside assistance")]
    public void CommandHeadNamesAHeldOutVoiceCommandAfterTheWakeWord(string voice, string text)
    {
        var truth = 1 + Grammar.Phrases.ToList().FindIndex(p => p.Text == text);
        var render = Render(Scene("driver", 18, (0.8, "hey jarvis", voice), (2.0, text, voice)));
        var command = render.Utterances[1];
        var (decided, atSeconds) = DecideCommand(render.Mix[0], command.StartSeconds, command.EndSeconds);
        output.WriteLine($"{voice} '{text}': class {decided} ({(decided > 0 ? Grammar.Phrases[decided - 1].Text : "none")}) at {atSeconds:F2} s, command ended {command.EndSeconds:F2} s");
        Assert.Equal(truth, decided);
        Assert.InRange(atSeconds - command.EndSeconds, 0.0, 0.32);
    }

    private static CabinScene Scene(string zone, double snr, params (double Start, string Text, string Voice)[] said) => new()
    {
        Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin),
        DurationSeconds = said.Max(s => s.Start) + 3.2,
        Seed = 11,
        Noise = new SceneNoise(snr, Sources: 8),
        Events = [.. said.Select(s => new SceneEvent { Kind = SceneSourceKind.Talker, Source = zone, StartSeconds = s.Start, Text = s.Text, Voice = s.Voice })],
    };

    private static SceneRender Render(CabinScene scene) => new CabinSimulator().Render(scene);

    private static float[] Mic(CabinScene scene) => Render(scene).Mix[0];

    private static List<WakeWordDetection> Detections(float[] audio)
    {
        using var zone = new ZoneSpeech("driver", SpeechModelPaths.From(TestModels.Store), [(TestModels.Path(WakeHead.DefaultModel), new WakeWordOptions())], new InferenceOptions());
        var detections = new List<WakeWordDetection>();
        zone.WakeWord += detections.Add;
        zone.Process(audio);
        return detections;
    }

    /// <summary>
    /// Streams the audio through the runtime's mel front end and embedder (40 kept) and the command
    /// head, and decides as the held-out evaluation's end-pointed rule: the mean of the probabilities
    /// over the step holding the command's end and the two after it, most likely class.
    /// </summary>
    private static (int Class, double Seconds) DecideCommand(float[] audio, double start, double end)
    {
        var inference = new InferenceOptions();
        using var mel = new MelSpectrogram(TestModels.Melspectrogram, inference);
        using var embedder = new SpeechEmbedder(TestModels.Embedding, inference, CommandCorpus.Window);
        using var head = new OnnxModel(TestModels.Path(HeadTraining.CommandsId), inference);
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        var input = head.Input(HeadExporter.InputName);
        var probabilities = head.Output(HeadExporter.ProbabilitiesName);
        var mean = new float[probabilities.Floats.Length];
        var endStep = (int)((end * SpeechSteps.SampleRate) - 1) / MelSpectrogram.StepSamples;
        Assert.True(start < end);
        for (var k = 0; k <= endStep + 2; k++)
        {
            mel.Step(audio.AsSpan(k * MelSpectrogram.StepSamples, MelSpectrogram.StepSamples), frames);
            embedder.Step(frames);
            if (k < endStep) continue;
            embedder.Latest(CommandCorpus.Window).CopyTo(input.Floats);
            head.Run();
            for (var c = 0; c < mean.Length; c++) mean[c] += probabilities.Floats[c];
        }
        var best = 0;
        for (var c = 1; c < mean.Length; c++)
            if (mean[c] > mean[best]) best = c;
        return (best, (endStep + 3) * SpeechSteps.Seconds);
    }
}
