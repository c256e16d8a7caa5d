using System.Numerics.Tensors;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// The decision at the end of an utterance heard in a command window: the command head's probabilities
/// are averaged over the step holding the end and the few after it, and the most likely command class
/// (never "none") is the intent when its mean probability reaches the floor; below the floor it is
/// none. The head spreads its doubt over neighbouring commands and "none" (a held-out voice often
/// leaves "none" on top with the right command second), so comparing a command with the floor, not
/// with "none", finds it. Two gates keep chatter after a false wake word from becoming a command:
/// an utterance shorter than <see cref="MinCommandSeconds"/> (the rest of a sentence the wake word
/// fired in, a word between two pauses) is no command, and an intent that escalates to a human
/// (<c>assist.emergency</c>) needs the higher escalation floor. The runtime
/// (<see cref="CommandRecognizer"/>) and the trainer's held-out evaluation both decide with this.
/// </summary>
public sealed class CommandEndRule
{
    /// <summary>Quiet 80 ms steps that separate two utterances: the next speech step starts a new command (its length counts from there).</summary>
    public const int PauseSteps = 3;

    /// <summary>Lengths are whole 80 ms steps: 5 × 0.08 must count as 0.4 s.</summary>
    private const double Tolerance = 1e-9;

    private readonly float[] _floors;
    private readonly bool[] _escalates;

    /// <summary>A rule over classes 0..<paramref name="escalates"/>.Count − 1 (0 = none); <paramref name="escalates"/>[k] says class k publishes an escalation.</summary>
    public CommandEndRule(float floor, float escalationFloor, IReadOnlyList<bool> escalates, double minCommandSeconds)
    {
        ArgumentNullException.ThrowIfNull(escalates);
        _floors = new float[escalates.Count];
        _escalates = [.. escalates];
        for (var k = 0; k < _floors.Length; k++) _floors[k] = escalates[k] ? Math.Max(floor, escalationFloor) : floor;
        MinCommandSeconds = minCommandSeconds;
    }

    /// <summary>The runtime's rule for a head's labels: <see cref="CommandOptions.Floor"/>, <see cref="CommandOptions.EscalationFloor"/> for the grammar's escalating intents, <see cref="CommandOptions.MinCommandSeconds"/>.</summary>
    public static CommandEndRule For(CommandOptions options, CommandLabels labels)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(labels);
        var escalates = labels.Labels.Select(l => l.Intent is { } i && labels.Grammar.Escalations.ContainsKey(i)).ToList();
        return new CommandEndRule(options.Floor, options.EscalationFloor, escalates, options.MinCommandSeconds);
    }

    /// <summary>Shortest utterance, as the voice detector heard it, that may be a command.</summary>
    public double MinCommandSeconds { get; }

    /// <summary>The floor class <paramref name="k"/> must reach.</summary>
    public float FloorOf(int k) => _floors[k];

    /// <summary>
    /// The command class (1..) of <paramref name="meanProbabilities"/> (class 0 = none first) for an
    /// utterance that lasted <paramref name="commandSeconds"/>, or 0 (none).
    /// </summary>
    public int Decide(ReadOnlySpan<float> meanProbabilities, double commandSeconds)
    {
        if (commandSeconds + Tolerance < MinCommandSeconds) return 0;
        var best = 1 + TensorPrimitives.IndexOfMax(meanProbabilities[1..]);
        return meanProbabilities[best] >= _floors[best] ? best : 0;
    }

    /// <summary>
    /// Whether class <paramref name="k"/> at <paramref name="confidence"/> may fire before the utterance's end
    /// (the early rule's gate) after <paramref name="commandSeconds"/> of it: twice the shortest command. The
    /// early rule is for a long command whose end a neighbour's talk hides; a short one has its end soon,
    /// while a sure class a few steps after a false wake word is mostly a sentence running on (HIL calm suite).
    /// An escalating intent never fires early: it waits for the utterance's end (the false emergency of the
    /// calm suite fired at 0.99 in the middle of a neighbour's sentence).
    /// </summary>
    public bool AllowsEarly(int k, float confidence, double commandSeconds) =>
        !_escalates[k] && commandSeconds + Tolerance >= 2 * MinCommandSeconds && confidence >= _floors[k];

    /// <summary>The command class (1..) of <paramref name="meanProbabilities"/> (class 0 = none first), or 0 when it is below <paramref name="floor"/> (one floor for every class, no gates).</summary>
    public static int Decide(ReadOnlySpan<float> meanProbabilities, float floor)
    {
        var best = 1 + TensorPrimitives.IndexOfMax(meanProbabilities[1..]);
        return meanProbabilities[best] >= floor ? best : 0;
    }
}
