using System.Text.Json;

namespace StepAudio.Automotive.Speech;

/// <summary>One output class of a command head: class 0 is "none" (<see cref="Intent"/> null).</summary>
public sealed record CommandLabel(string? Intent, string? Text, IReadOnlyDictionary<string, string> Slots);

/// <summary>
/// What a command head's outputs mean (<c>&lt;head&gt;.labels.json</c>, written by the trainer):
/// <c>{"grammar": "models/grammar/incar-en.yaml", "window": T, "labels": [{"intent": null}, {"intent":
/// "window.open", "text": "open the window", "slots": {}}, …]}</c>. Loading checks every label against
/// the grammar it names, so a head trained on another grammar fails at start, not mid-drive.
/// </summary>
public sealed class CommandLabels
{
    private CommandLabels(string path, CommandGrammar grammar, int window, IReadOnlyList<CommandLabel> labels)
    {
        Path = path;
        Grammar = grammar;
        Window = window;
        Labels = labels;
    }

    public string Path { get; }

    /// <summary>The grammar the head was trained on (its escalations apply to the intents it fires).</summary>
    public CommandGrammar Grammar { get; }

    /// <summary>Embeddings the head reads (80 ms each, oldest first).</summary>
    public int Window { get; }

    /// <summary>One per output of the head, class 0 first.</summary>
    public IReadOnlyList<CommandLabel> Labels { get; }

    /// <summary>The labels file beside a head: <c>commands-en.onnx</c> → <c>commands-en.labels.json</c>.</summary>
    public static string PathFor(string headPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(headPath) ?? "", System.IO.Path.GetFileNameWithoutExtension(headPath) + ".labels.json");

    /// <summary>
    /// The labels file for a head trained on every phrase of <paramref name="grammar"/>: output 0 is none
    /// (<c>"intent": null</c>), output k is grammar phrase k − 1 with its intent, text and slots; the head's
    /// input and output tensor names are recorded beside them. What <see cref="Load"/> reads back.
    /// </summary>
    public static byte[] Write(CommandGrammar grammar, string grammarPath, int window, string inputName, string outputName)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("grammar", grammarPath.Replace('\\', '/'));
            w.WriteNumber("window", window);
            w.WriteString("input", inputName);
            w.WriteString("output", outputName);
            w.WriteStartArray("labels");
            w.WriteStartObject();
            w.WriteNull("intent");
            w.WriteEndObject();
            foreach (var p in grammar.Phrases)
            {
                w.WriteStartObject();
                w.WriteString("intent", p.Intent);
                w.WriteString("text", p.Text);
                w.WriteStartObject("slots");
                foreach (var (k, v) in p.Slots) w.WriteString(k, v);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <exception cref="InvalidInputException">Missing or malformed file, unknown grammar, or a label the grammar does not know; the message names the file and the label.</exception>
    public static CommandLabels Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, "cannot read the command head's labels: " + e.Message);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(path, "not JSON: " + e.Message);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidInputException(path, "expected an object with grammar, window and labels");
            var grammarName = root.TryGetProperty("grammar", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : throw new InvalidInputException(path, "grammar: missing (the grammar file the head was trained on)");
            var grammar = ResolveGrammar(path, grammarName);
            if (!root.TryGetProperty("window", out var w) || !w.TryGetInt32(out var window) || window < 1 || window > ZoneSpeech.MaxHeadWindow)
                throw new InvalidInputException(path, $"window: expected the number of embeddings the head reads, 1 to {ZoneSpeech.MaxHeadWindow}");
            if (!root.TryGetProperty("labels", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() < 2)
                throw new InvalidInputException(path, "labels: expected an array, class 0 (none) first, then at least one intent");
            var labels = new List<CommandLabel>();
            foreach (var item in list.EnumerateArray())
                labels.Add(ReadLabel(path, grammar, item, labels.Count));
            return new CommandLabels(path, grammar, window, labels);
        }
    }

    private static CommandLabel ReadLabel(string path, CommandGrammar grammar, JsonElement item, int index)
    {
        var at = $"labels[{index}]";
        if (item.ValueKind != JsonValueKind.Object) throw new InvalidInputException(path, $"{at}: expected an object");
        var intent = item.TryGetProperty("intent", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        if (index == 0)
        {
            return intent is null ? new CommandLabel(null, null, new Dictionary<string, string>())
                : throw new InvalidInputException(path, $"{at}: class 0 is \"none\" and must have \"intent\": null, found '{intent}'");
        }
        if (intent is null) throw new InvalidInputException(path, $"{at}: intent missing (only class 0 is none)");
        if (!grammar.Intents.Contains(intent))
            throw new InvalidInputException(path, $"{at}: intent '{intent}' is not in the grammar ({grammar.Source})");
        var slots = new Dictionary<string, string>(StringComparer.Ordinal);
        if (item.TryGetProperty("slots", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.Object) throw new InvalidInputException(path, $"{at}.slots: expected an object of slot → value");
            foreach (var p in s.EnumerateObject())
                slots[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidInputException(path, $"{at}.slots.{p.Name}: expected a text value");
        }
        var phrases = grammar.Phrases.Where(p => p.Intent == intent).ToList();
        foreach (var (name, value) in slots)
        {
            if (!phrases.Any(p => p.Slots.ContainsKey(name)))
                throw new InvalidInputException(path, $"{at}.slots.{name}: intent '{intent}' has no slot '{name}' in the grammar ({grammar.Source})");
            if (!phrases.Any(p => p.Slots.TryGetValue(name, out var v) && v == value))
                throw new InvalidInputException(path, $"{at}.slots.{name}: '{value}' is not a value of slot '{name}' in the grammar ({grammar.Source})");
        }
        if (!phrases.Any(p => SameSlots(p.Slots, slots)))
            throw new InvalidInputException(path, $"{at}: intent '{intent}' with slots {{{string.Join(", ", slots.Select(kv => $"{kv.Key}: {kv.Value}"))}}} is no expression of the grammar ({grammar.Source})");
        var text = item.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (text is not null && !phrases.Any(p => p.Text == text && SameSlots(p.Slots, slots)))
            throw new InvalidInputException(path, $"{at}: \"{text}\" is not an expression of '{intent}' with these slots in the grammar ({grammar.Source})");
        return new CommandLabel(intent, text, slots);
    }

    private static bool SameSlots(IReadOnlyDictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>
    /// The grammar named by the labels: an absolute path, or a path relative to the labels file's
    /// folder or one of its parents (the repository layout, <c>models/grammar/…</c>); failing that,
    /// the built-in copy when it is the same file name.
    /// </summary>
    private static CommandGrammar ResolveGrammar(string labelsPath, string grammarName)
    {
        if (System.IO.Path.IsPathRooted(grammarName))
            return File.Exists(grammarName) ? CommandGrammar.Load(grammarName) : throw new InvalidInputException(labelsPath, $"grammar: {grammarName}: file not found");
        for (var dir = new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(labelsPath))!); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, grammarName);
            if (File.Exists(candidate)) return CommandGrammar.Load(candidate);
        }
        if (System.IO.Path.GetFileName(grammarName) == CommandGrammar.DefaultFileName) return CommandGrammar.Default;
        throw new InvalidInputException(labelsPath, $"grammar: {grammarName}: file not found beside the labels or above them");
    }
}
