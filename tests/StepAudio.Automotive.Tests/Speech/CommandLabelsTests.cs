using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>A command head's labels are checked against the grammar at start; every problem names the file.</summary>
public class CommandLabelsTests
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    private static string Labels(params object[] labels)
    {
        var head = Path.Combine(TestPaths.NewTempDir(), "commands-test.onnx");
        TestCommandHeads.WriteLabels(head, 16, labels);
        return CommandLabels.PathFor(head);
    }

    private static readonly object None = new { intent = (string?)null };

    [Fact]
    public void WhatTheTrainerWritesIsTheCommittedFileAndLoadsBack()
    {
        var committed = Path.Combine(TestPaths.RepoRoot, "models", "trained", "commands-en.labels.json");
        var written = CommandLabels.Write(CommandGrammar.Default, "models/grammar/incar-en.yaml", 40, "embeddings", "probabilities");
        Assert.Equal(File.ReadAllBytes(committed), written);

        var labels = CommandLabels.Load(committed);
        Assert.Equal(40, labels.Window);
        Assert.Equal(CommandGrammar.Default.Phrases.Count + 1, labels.Labels.Count);
    }

    [Fact]
    public void TheTestLabelsLoadAgainstTheRepositoryGrammar()
    {
        var labels = CommandLabels.Load(Labels(TestCommandHeads.Labels));
        Assert.Equal(16, labels.Window);
        Assert.Equal(4, labels.Labels.Count);
        Assert.Null(labels.Labels[0].Intent);
        Assert.Equal("21", labels.Labels[2].Slots["celsius"]);
        Assert.Equal(new GrammarEscalation("distress", "high"), labels.Grammar.Escalations["assist.emergency"]);
    }

    [Fact]
    public void TheGrammarIsFoundInTheRepositoryLayoutAboveTheLabels()
    {
        var root = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(root, "models", "grammar"));
        Directory.CreateDirectory(Path.Combine(root, "models", "trained"));
        File.WriteAllText(Path.Combine(root, "models", "grammar", "tiny.yaml"), """
            language: en
            wake: hey jarvis
            intents:
              media.play: ["play some music"]
            """);
        var head = Path.Combine(root, "models", "trained", "tiny.onnx");
        TestCommandHeads.WriteLabels(head, 16, [None, new { intent = "media.play", text = "play some music" }], "models/grammar/tiny.yaml");
        var labels = CommandLabels.Load(CommandLabels.PathFor(head));
        Assert.Equal(["media.play"], labels.Grammar.Intents);
        Assert.EndsWith("tiny.yaml", labels.Grammar.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown-intent", "labels[1]: intent 'window.explode' is not in the grammar")]
    [InlineData("unknown-slot", "labels[1].slots.fahrenheit: intent 'climate.temperature.set' has no slot 'fahrenheit'")]
    [InlineData("bad-value", "labels[1].slots.celsius: '35' is not a value of slot 'celsius'")]
    [InlineData("missing-slot", "labels[1]: intent 'climate.temperature.set' with slots {} is no expression of the grammar")]
    [InlineData("wrong-text", "labels[1]: \"open the trunk\" is not an expression of 'window.open'")]
    [InlineData("none-not-first", "labels[0]: class 0 is \"none\" and must have \"intent\": null")]
    public void ALabelTheGrammarDoesNotKnowIsNamed(string kind, string problem)
    {
        object label = kind switch
        {
            "unknown-intent" => new { intent = "window.explode" },
            "unknown-slot" => new { intent = "climate.temperature.set", slots = new Dictionary<string, string> { ["fahrenheit"] = "70" } },
            "bad-value" => new { intent = "climate.temperature.set", slots = new Dictionary<string, string> { ["celsius"] = "35" } },
            "missing-slot" => new { intent = "climate.temperature.set" },
            "wrong-text" => new { intent = "window.open", text = "open the trunk" },
            _ => new { intent = "window.open" },
        };
        var path = kind == "none-not-first" ? Labels(label, label) : Labels(None, label);
        var e = Assert.Throws<InvalidInputException>(() => CommandLabels.Load(path));
        Assert.StartsWith($"{path}: {problem}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFilesAndAMismatchedHeadAreNamed()
    {
        var dir = TestPaths.NewTempDir();
        var missing = Path.Combine(dir, "nothing.labels.json");
        var e = Assert.Throws<InvalidInputException>(() => CommandLabels.Load(missing));
        Assert.StartsWith($"{missing}: cannot read the command head's labels", e.Message, StringComparison.Ordinal);

        var noGrammar = Path.Combine(dir, "g.labels.json");
        File.WriteAllText(noGrammar, """{"grammar":"models/grammar/nowhere.yaml","window":16,"labels":[{"intent":null},{"intent":"media.play"}]}""");
        e = Assert.Throws<InvalidInputException>(() => CommandLabels.Load(noGrammar));
        Assert.Equal($"{noGrammar}: grammar: models/grammar/nowhere.yaml: file not found beside the labels or above them", e.Message);

        // A head whose outputs or window do not match its labels fails at load, naming the head.
        var head = TestCommandHeads.Echo(window: 16);
        TestCommandHeads.WriteLabels(head, 16, [None, new { intent = "media.play" }]);
        var options = new CommandOptions { Model = head };
        e = Assert.Throws<InvalidInputException>(() => new CommandRecognizer(CommandHead.Resolve(options, TestModels.Store), Cpu));
        Assert.Equal($"{head}: head has 4 outputs but {CommandLabels.PathFor(head)} lists 2 labels", e.Message);
        TestCommandHeads.WriteLabels(head, 24, TestCommandHeads.Labels);
        e = Assert.Throws<InvalidInputException>(() => new CommandRecognizer(CommandHead.Resolve(options, TestModels.Store), Cpu));
        Assert.Equal($"{head}: head reads 16 embeddings but {CommandLabels.PathFor(head)} says window 24", e.Message);

        // A head without labels, or an unknown model id.
        File.Delete(CommandLabels.PathFor(head));
        e = Assert.Throws<InvalidInputException>(() => CommandHead.Resolve(options, TestModels.Store));
        Assert.StartsWith($"{CommandLabels.PathFor(head)}: cannot read the command head's labels", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidInputException>(() => CommandHead.Resolve(new CommandOptions { Model = "commands-xx" }, TestModels.Store));
        Assert.StartsWith("StepAudio:Commands:Model: 'commands-xx' is neither a model id nor an .onnx file", e.Message, StringComparison.Ordinal);
    }
}
