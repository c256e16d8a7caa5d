using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StepAudio.Automotive.Speech;

/// <summary>One spoken form of a command with the slot values it carries.</summary>
public sealed record CommandPhrase(string Intent, string Text, IReadOnlyDictionary<string, string> Slots);

/// <summary>An intent that also publishes an escalation (e.g. <c>assist.emergency</c>).</summary>
public sealed record GrammarEscalation(string Reason, string Severity);

/// <summary>
/// The in-car command grammar (<c>models/grammar/incar-en.yaml</c>): intents, their expressions with
/// <c>{slot}</c> references, and slot values (spoken words → published value). Expanding it gives
/// every phrase the command heads are trained on and the HIL rig speaks.
/// </summary>
public sealed partial class CommandGrammar
{
    /// <summary>The file name of the built-in grammar (<see cref="Default"/>).</summary>
    public const string DefaultFileName = "incar-en.yaml";

    private CommandGrammar(string source, string language, string wake, IReadOnlyList<string> intents, IReadOnlyList<CommandPhrase> phrases, IReadOnlyDictionary<string, GrammarEscalation> escalations)
    {
        Source = source;
        Language = language;
        Wake = wake;
        Intents = intents;
        Phrases = phrases;
        Escalations = escalations;
    }

    /// <summary>Where it was read from (a path, or the built-in copy's name), for messages.</summary>
    public string Source { get; }

    public string Language { get; }

    /// <summary>The wake phrase, e.g. "hey jarvis".</summary>
    public string Wake { get; }

    /// <summary>Intent ids in file order.</summary>
    public IReadOnlyList<string> Intents { get; }

    /// <summary>Every expression × slot value, in file order.</summary>
    public IReadOnlyList<CommandPhrase> Phrases { get; }

    public IReadOnlyDictionary<string, GrammarEscalation> Escalations { get; }

    /// <summary>The grammar built into the binary (the repository's models/grammar/incar-en.yaml).</summary>
    public static CommandGrammar Default { get; } = LoadDefault();

    public static CommandGrammar Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, "cannot read grammar: " + e.Message);
        }
        return Parse(text, path);
    }

    /// <exception cref="InvalidInputException">Malformed YAML, an unknown slot, a duplicate expression; the message names the file and the place.</exception>
    public static CommandGrammar Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidInputException(source, $"line {e.Start.Line}: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidInputException(source, "expected one YAML mapping with language, wake, slots and intents");

        var language = Scalar(root, "language", source);
        var wake = Scalar(root, "wake", source);

        var slots = new Dictionary<string, List<KeyValuePair<string, string>>>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("slots"), out var slotsNode))
        {
            foreach (var (name, values) in Mapping(slotsNode, "slots", source))
            {
                var list = new List<KeyValuePair<string, string>>();
                foreach (var (spoken, value) in Mapping(values, $"slots.{name}", source))
                    list.Add(new(spoken, ScalarValue(value, $"slots.{name}.{spoken}", source)));
                if (list.Count == 0) throw new InvalidInputException(source, $"slots.{name}: a slot needs at least one value");
                slots[name] = list;
            }
        }

        var intents = new List<string>();
        var phrases = new List<CommandPhrase>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.Children.TryGetValue(new YamlScalarNode("intents"), out var intentsNode))
            throw new InvalidInputException(source, "intents: missing");
        foreach (var (intent, expressions) in Mapping(intentsNode, "intents", source))
        {
            if (!IntentId().IsMatch(intent)) throw new InvalidInputException(source, $"intents.{intent}: an intent id is dotted lower-case words (e.g. window.open)");
            if (expressions is not YamlSequenceNode list || list.Children.Count == 0)
                throw new InvalidInputException(source, $"intents.{intent}: expected a list of expressions");
            intents.Add(intent);
            foreach (var e in list.Children)
            {
                var expression = ScalarValue(e, $"intents.{intent}", source);
                foreach (var phrase in Expand(intent, expression, slots, source))
                {
                    if (seen.TryGetValue(phrase.Text, out var other))
                        throw new InvalidInputException(source, $"intents.{intent}: \"{phrase.Text}\" is also an expression of {other}");
                    seen[phrase.Text] = intent;
                    phrases.Add(phrase);
                }
            }
        }

        var escalations = new Dictionary<string, GrammarEscalation>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("escalations"), out var escNode))
        {
            foreach (var (intent, spec) in Mapping(escNode, "escalations", source))
            {
                if (!intents.Contains(intent)) throw new InvalidInputException(source, $"escalations.{intent}: not an intent of this grammar");
                if (spec is not YamlMappingNode m) throw new InvalidInputException(source, $"escalations.{intent}: expected reason and severity");
                escalations[intent] = new GrammarEscalation(Scalar(m, "reason", source, $"escalations.{intent}."), Scalar(m, "severity", source, $"escalations.{intent}."));
            }
        }
        return new CommandGrammar(source, language, wake, intents, phrases, escalations);
    }

    private static IEnumerable<CommandPhrase> Expand(string intent, string expression, Dictionary<string, List<KeyValuePair<string, string>>> slots, string source)
    {
        var match = SlotReference().Match(expression);
        if (!match.Success)
        {
            yield return new CommandPhrase(intent, Normalise(expression), new Dictionary<string, string>());
            yield break;
        }
        var name = match.Groups[1].Value;
        if (!slots.TryGetValue(name, out var values))
            throw new InvalidInputException(source, $"intents.{intent}: \"{expression}\" uses unknown slot {{{name}}}");
        if (SlotReference().Count(expression) > 1)
            throw new InvalidInputException(source, $"intents.{intent}: \"{expression}\" has more than one slot (one per expression)");
        foreach (var (spoken, value) in values)
        {
            var text = expression[..match.Index] + spoken + expression[(match.Index + match.Length)..];
            yield return new CommandPhrase(intent, Normalise(text), new Dictionary<string, string> { [name] = value });
        }
    }

    private static string Normalise(string text) => Spaces().Replace(text.Trim().ToLowerInvariant(), " ");

    private static string Scalar(YamlMappingNode node, string key, string source, string prefix = "")
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value)) throw new InvalidInputException(source, $"{prefix}{key}: missing");
        return ScalarValue(value, prefix + key, source);
    }

    private static string ScalarValue(YamlNode node, string field, string source) =>
        node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw new InvalidInputException(source, $"{field}: expected a non-empty text (line {node.Start.Line})");

    private static IEnumerable<(string Key, YamlNode Value)> Mapping(YamlNode node, string field, string source)
    {
        if (node is not YamlMappingNode map) throw new InvalidInputException(source, $"{field}: expected a mapping (line {node.Start.Line})");
        foreach (var (k, v) in map.Children) yield return (ScalarValue(k, field, source), v);
    }

    private static CommandGrammar LoadDefault()
    {
        using var stream = typeof(CommandGrammar).Assembly.GetManifestResourceStream("StepAudio.Automotive.models.grammar.incar-en.yaml")
            ?? throw new InvalidOperationException("built-in grammar missing from the assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), DefaultFileName + " (built in)");
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex SlotReference();

    [GeneratedRegex(@"^[a-z]+(\.[a-z]+)+$")]
    private static partial Regex IntentId();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
