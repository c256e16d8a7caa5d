using System.Numerics.Tensors;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// The decision at the end of an utterance heard in a command window: the command head's probabilities
/// are averaged over the step holding the end and the few after it, and the most likely command class
/// (never "none") is the intent when its mean probability reaches the floor; below the floor it is
/// none. The head spreads its doubt over neighbouring commands and "none" (a held-out voice often
/// leaves "none" on top with the right command second), so comparing a command with the floor, not
/// with "none", finds it. The runtime (<see cref="CommandRecognizer"/>) and the trainer's held-out
/// evaluation both decide with this.
/// </summary>
public static class CommandEndRule
{
    /// <summary>The command class (1..) of <paramref name="meanProbabilities"/> (class 0 = none first), or 0 when it is below <paramref name="floor"/>.</summary>
    public static int Decide(ReadOnlySpan<float> meanProbabilities, float floor)
    {
        var best = 1 + TensorPrimitives.IndexOfMax(meanProbabilities[1..]);
        return meanProbabilities[best] >= floor ? best : 0;
    }
}
