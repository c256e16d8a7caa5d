using System.Text.Json;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>One wake word + command turn that a scenario expects the service to understand.</summary>
public sealed record HilTurn(
    string Zone,
    string Voice,
    double WakeStart,
    double WakeEnd,
    string Text,
    string Intent,
    IReadOnlyDictionary<string, string> Slots,
    double CommandStart,
    double CommandEnd,
    double AzimuthDeg);

/// <summary>Anything audible in a scenario: a talker's utterance (command or chatter) or loudspeaker speech.</summary>
public sealed record HilUtterance(string Kind, string Source, double Start, double End, double AzimuthDeg, double ElevationDeg, string Text, string Voice)
{
    /// <summary>What the simulator rendered, as truth: times and angles to the millisecond and the thousandth of a degree.</summary>
    public static HilUtterance From(RenderedUtterance u) => new(
        u.Kind == SceneSourceKind.Talker ? "talker" : "loudspeaker", u.Source, Math.Round(u.StartSeconds, 3), Math.Round(u.EndSeconds, 3),
        Math.Round(u.AzimuthDeg, 3), Math.Round(u.ElevationDeg, 3), u.Event.Text, u.Event.Voice);
}

/// <summary>
/// An escalation the service must publish: for <see cref="Zone"/>, by trigger <see cref="Trigger"/>,
/// no earlier than <see cref="Onset"/> (when the reason began) and no later than <see cref="Deadline"/>.
/// </summary>
public sealed record HilExpectedEscalation(string Zone, string Trigger, double Onset, double Deadline);

/// <summary>
/// A scenario's ground truth (<c>truth.json</c>): who said what, where and when, and the turns the
/// service should turn into wake, intent and escalation events.
/// </summary>
public sealed record HilTruth(
    string Scenario,
    string Cabin,
    string Audio,
    double DurationSeconds,
    double SnrDb,
    IReadOnlyList<HilTurn> Turns,
    IReadOnlyList<HilUtterance> Utterances)
{
    public const string FileName = "truth.json";

    /// <summary>What the scenario exercises: <c>commands</c> (wake word + command turns), <c>agitated</c> or <c>calm</c> (emotion).</summary>
    public string Kind { get; init; } = "commands";

    /// <summary>Channels after the microphones in the audio that carry the loudspeakers' feeds (the service's <c>StepAudio:Audio:EchoReferences</c>).</summary>
    public int EchoReferences { get; init; }

    /// <summary>Escalations expected besides those of emergency commands (an agitated talker's); any other escalation is false.</summary>
    public IReadOnlyList<HilExpectedEscalation> Escalations { get; init; } = [];

    /// <summary>The scenario folders of a set (those holding a <c>truth.json</c>), in name order.</summary>
    public static string[] ScenarioDirectories(string scenariosDirectory)
    {
        var dirs = Directory.GetDirectories(scenariosDirectory).Where(d => File.Exists(Path.Combine(d, FileName))).Order(StringComparer.Ordinal).ToArray();
        return dirs.Length > 0 ? dirs : throw new InvalidInputException(scenariosDirectory, $"no scenarios (folders with {FileName}) found");
    }

    public static HilTruth Load(string path)
    {
        try
        {
            var truth = JsonSerializer.Deserialize(File.ReadAllText(path), HilJsonContext.Default.HilTruth)
                ?? throw new InvalidInputException(path, "empty truth file");
            // The source-generated reader sets init-only properties a file leaves out to null, not to their
            // defaults: truth written before emotion scenarios has no kind and no expected escalations.
            return truth with { Kind = truth.Kind ?? "commands", Escalations = truth.Escalations ?? [] };
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(path, "not a scenario truth file: " + e.Message);
        }
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, HilJsonContext.Default.HilTruth));
}
