using System.Text.Json;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Onnx;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>
/// Small real command heads written with the project's ONNX writer and run by ONNX Runtime, with a
/// labels file beside them, so the command stage's decision logic is tested deterministically.
/// </summary>
internal static class TestCommandHeads
{
    /// <summary>Classes of the test heads: 0 none, then three intents of the built-in grammar.</summary>
    public static readonly object[] Labels =
    [
        new { intent = (string?)null },
        new { intent = "window.open", text = "open the window", slots = new Dictionary<string, string>() },
        new { intent = "climate.temperature.set", text = "set the temperature to twenty one degrees", slots = new Dictionary<string, string> { ["celsius"] = "21" } },
        new { intent = "assist.emergency", text = "i need help", slots = new Dictionary<string, string>() },
    ];

    public const int Classes = 4;

    /// <summary>
    /// A head whose output is softmax(mean over time of the first <see cref="Classes"/> values of each
    /// embedding): a window whose rows hold log-probabilities makes it output exactly those probabilities.
    /// </summary>
    public static string Echo(int window = 16, string? dir = null)
    {
        var g = new OnnxGraph("echo_head");
        var x = g.Input("embeddings", 1, window, SpeechEmbedder.Size);
        var mean = g.Node("ReduceMean", [x], attributes: [("axes", new long[] { 1 }), ("keepdims", 0L)]);
        var first = g.Node("Slice", [mean, g.Int64Initializer("starts", [0]), g.Int64Initializer("ends", [Classes]), g.Int64Initializer("axes", [1])]);
        g.Node("Softmax", [first], "probabilities", [("axis", -1L)]);
        g.Output("probabilities", 1, Classes);
        return Save(g, window, dir);
    }

    /// <summary>A head that outputs <paramref name="probabilities"/> whatever it hears (its input is multiplied by zero).</summary>
    public static string Constant(float[] probabilities, int window = 16, string? dir = null)
    {
        var g = new OnnxGraph("constant_head");
        var x = g.Input("embeddings", 1, window, SpeechEmbedder.Size);
        var mean = g.Node("ReduceMean", [x], attributes: [("axes", new long[] { 1 }), ("keepdims", 0L)]);
        var first = g.Node("Slice", [mean, g.Int64Initializer("starts", [0]), g.Int64Initializer("ends", [Classes]), g.Int64Initializer("axes", [1])]);
        var zero = g.Node("Mul", [first, g.Initializer("zero", [], [0f])]);
        var logits = g.Node("Add", [zero, g.Initializer("log_p", [1, Classes], [.. probabilities.Select(p => MathF.Log(p))])]);
        g.Node("Softmax", [logits], "probabilities", [("axis", -1L)]);
        g.Output("probabilities", 1, Classes);
        return Save(g, window, dir);
    }

    /// <summary>One step's window for <see cref="Echo"/>: every row holds log(p) in its first classes.</summary>
    public static float[] Window(int window, params float[] probabilities)
    {
        var w = new float[window * SpeechEmbedder.Size];
        for (var t = 0; t < window; t++)
            for (var c = 0; c < probabilities.Length; c++) w[(t * SpeechEmbedder.Size) + c] = MathF.Log(probabilities[c]);
        return w;
    }

    public static void WriteLabels(string headPath, int window, object[] labels, string grammar = "models/grammar/incar-en.yaml") =>
        File.WriteAllText(CommandLabels.PathFor(headPath), JsonSerializer.Serialize(new { grammar, window, labels }));

    private static string Save(OnnxGraph g, int window, string? dir)
    {
        var path = Path.Combine(dir ?? TestPaths.NewTempDir(), g.Name + ".onnx");
        g.Save(path);
        WriteLabels(path, window, Labels);
        return path;
    }
}
