using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>The command window's decision rule, on a real ONNX head whose probabilities the test sets step by step.</summary>
public class CommandRecognizerTests
{
    private const int Window = 16;
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    /// <summary>A recognizer without the gates (shortest command 0, escalation floor = floor) unless they are asked for.</summary>
    private static CommandRecognizer NewRecognizer(float threshold = 0.6f, int patience = 3, double windowSeconds = 5, float floor = 0.3f, int endSteps = 2, double minCommandSeconds = 0, float? escalationFloor = null)
    {
        var path = TestCommandHeads.Echo(Window);
        var options = new CommandOptions { Model = path, Threshold = threshold, Patience = patience, WindowSeconds = windowSeconds, Floor = floor, EndSteps = endSteps, MinCommandSeconds = minCommandSeconds, EscalationFloor = escalationFloor ?? floor };
        return new CommandRecognizer(new CommandHead(path, CommandLabels.Load(CommandLabels.PathFor(path)), options), Cpu);
    }

    private static float[] P(float none, float open, float temperature, float help) => TestCommandHeads.Window(Window, none, open, temperature, help);

    [Fact]
    public void FiresOnlyAfterPatienceStepsAtOrAboveTheThreshold()
    {
        using var r = NewRecognizer(threshold: 0.6f, patience: 3);
        r.Open(0);
        var above = P(0.2f, 0.7f, 0.05f, 0.05f);
        var below = P(0.45f, 0.5f, 0.03f, 0.02f);
        Assert.Equal(CommandStep.Listening, r.Step(above, 0, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(above, 1, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(below, 2, speech: true)); // the streak breaks
        Assert.Equal(CommandStep.Listening, r.Step(above, 3, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(above, 4, speech: true));
        Assert.Equal(0.7f, r.Probabilities[1], 4);
        Assert.Equal(CommandStep.Intent, r.Step(P(0.1f, 0.8f, 0.05f, 0.05f), 5, speech: true));
        Assert.Equal(1, r.Class);
        Assert.Equal((0.7f + 0.7f + 0.8f) / 3, r.Confidence, 4);
        Assert.Equal("window.open", r.Labels.Labels[r.Class].Intent);
        Assert.False(r.IsOpen);
    }

    [Fact]
    public void PatienceOneFiresOnTheFirstStepAboveTheThreshold()
    {
        using var r = NewRecognizer(threshold: 0.5f, patience: 1);
        r.Open(0);
        Assert.Equal(CommandStep.Listening, r.Step(P(0.52f, 0.46f, 0.01f, 0.01f), 0, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(P(0.2f, 0.2f, 0.55f, 0.05f), 1, speech: true));
        Assert.Equal(2, r.Class);
        Assert.Equal(new Dictionary<string, string> { ["celsius"] = "21" }, r.Labels.Labels[2].Slots);
    }

    [Fact]
    public void ATopClassThatChangesRestartsTheStreak()
    {
        using var r = NewRecognizer(threshold: 0.6f, patience: 2);
        r.Open(0);
        Assert.Equal(CommandStep.Listening, r.Step(P(0.1f, 0.8f, 0.05f, 0.05f), 0, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.1f, 0.05f, 0.8f, 0.05f), 1, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(P(0.1f, 0.05f, 0.8f, 0.05f), 2, speech: true));
        Assert.Equal(2, r.Class);
    }

    [Fact]
    public void NoneWinningDoesNotFireAndTheWindowRunsOutAsNoMatch()
    {
        // 0.8 s = 10 steps; "none" at 0.9 never counts, however long it holds.
        using var r = NewRecognizer(threshold: 0.5f, patience: 1, windowSeconds: 0.8);
        r.Open(100);
        var none = P(0.9f, 0.04f, 0.03f, 0.03f);
        for (var s = 100; s < 109; s++) Assert.Equal(CommandStep.Listening, r.Step(none, s, speech: true));
        Assert.Equal(CommandStep.NoMatch, r.Step(none, 109, speech: true));
        Assert.False(r.IsOpen);
        Assert.Equal(CommandStep.Closed, r.Step(P(0.01f, 0.97f, 0.01f, 0.01f), 110, speech: true));
    }

    [Fact]
    public void OneIntentPerWindowAndReopeningStartsAfresh()
    {
        using var r = NewRecognizer(threshold: 0.6f, patience: 2);
        var open = P(0.1f, 0.8f, 0.05f, 0.05f);
        r.Open(0);
        Assert.Equal(CommandStep.Listening, r.Step(open, 0, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(open, 1, speech: true));
        for (var s = 2; s < 10; s++) Assert.Equal(CommandStep.Closed, r.Step(open, s, speech: true));

        // A streak from before does not carry into a new window.
        r.Open(10);
        Assert.Equal(CommandStep.Listening, r.Step(open, 10, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(open, 11, speech: true));
    }

    [Fact]
    public void StepsAllocateNothing()
    {
        using var r = NewRecognizer(threshold: 0.99f, patience: 1, windowSeconds: 30);
        var window = P(0.4f, 0.3f, 0.2f, 0.1f);
        r.Open(0);
        for (var s = 0; s < 20; s++) r.Step(window, s, speech: s % 5 != 0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var s = 20; s < 220; s++) r.Step(window, s, speech: s % 5 != 0);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TheUtterancesEndDecidesTheBestCommandAtOrAboveTheFloorEvenWithNoneOnTop()
    {
        using var r = NewRecognizer(patience: 0, floor: 0.3f, endSteps: 2);
        r.Open(0);
        // Quiet before anyone speaks is no end.
        for (var s = 0; s < 3; s++) Assert.Equal(CommandStep.Listening, r.Step(P(0.9f, 0.04f, 0.03f, 0.03f), s, speech: false));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.9f, 0.05f, 0.03f, 0.02f), 3, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.6f, 0.35f, 0.03f, 0.02f), 4, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.5f, 0.4f, 0.05f, 0.05f), 5, speech: false));
        Assert.Equal(CommandStep.Intent, r.Step(P(0.55f, 0.3f, 0.1f, 0.05f), 6, speech: false));
        Assert.Equal(1, r.Class);
        Assert.Equal((0.35f + 0.4f + 0.3f) / 3, r.Confidence, 4);
        Assert.False(r.IsOpen);
    }

    [Fact]
    public void AnEndBelowTheFloorKeepsListeningForTheNextUtterance()
    {
        using var r = NewRecognizer(patience: 0, floor: 0.3f, endSteps: 1);
        r.Open(0);
        // "hey jarvis" trailing into the window: none, so no intent, the window stays open.
        Assert.Equal(CommandStep.Listening, r.Step(P(0.8f, 0.1f, 0.05f, 0.05f), 0, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.8f, 0.1f, 0.05f, 0.05f), 1, speech: false));
        Assert.True(r.IsOpen);
        Assert.Equal(CommandStep.Listening, r.Step(P(0.8f, 0.1f, 0.05f, 0.05f), 2, speech: false));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.3f, 0.1f, 0.05f, 0.55f), 3, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(P(0.4f, 0.1f, 0.05f, 0.45f), 4, speech: false));
        Assert.Equal(3, r.Class);
        Assert.Equal("assist.emergency", r.Labels.Labels[r.Class].Intent);
    }

    [Fact]
    public void AnUtteranceShorterThanTheShortestCommandIsNoCommand()
    {
        // 0.6 s: eight steps of speech (0.64 s) pass, seven (0.56 s) do not.
        using var r = NewRecognizer(patience: 0, floor: 0.3f, endSteps: 1, minCommandSeconds: 0.6);
        var open = P(0.2f, 0.7f, 0.05f, 0.05f);
        r.Open(0);
        // The rest of a sentence the wake word fired in: seven speech steps from the window's opening, then quiet.
        for (var s = 0; s < 7; s++) Assert.Equal(CommandStep.Listening, r.Step(open, s, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(open, 7, speech: false));
        Assert.True(r.IsOpen);
        // A pause of three quiet steps: the next speech is a new utterance, its length counts from its onset.
        Assert.Equal(CommandStep.Listening, r.Step(open, 8, speech: false));
        Assert.Equal(CommandStep.Listening, r.Step(open, 9, speech: false));
        for (var s = 10; s < 17; s++) Assert.Equal(CommandStep.Listening, r.Step(open, s, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(open, 17, speech: false));
        // One quiet step (< 3) inside an utterance does not restart it: 10..19 with a gap at 17 is ten steps.
        Assert.Equal(CommandStep.Listening, r.Step(open, 18, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(open, 19, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(open, 20, speech: false));
        Assert.Equal(1, r.Class);
    }

    [Fact]
    public void TheEarlyRuleWaitsForTwiceTheShortestCommand()
    {
        // 0.4 s shortest command: the early rule fires from 0.8 s (ten steps) of the utterance on.
        using var r = NewRecognizer(threshold: 0.6f, patience: 2, minCommandSeconds: 0.4);
        var sure = P(0.05f, 0.9f, 0.03f, 0.02f);
        r.Open(0);
        for (var s = 0; s < 9; s++) Assert.Equal(CommandStep.Listening, r.Step(sure, s, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(sure, 9, speech: true));
        Assert.Equal(1, r.Class);
    }

    [Fact]
    public void AnEscalatingIntentNeedsTheEscalationFloor()
    {
        // assist.emergency (class 3) escalates in the built-in grammar: 0.45 passes the floor 0.3 but not 0.6.
        using var r = NewRecognizer(patience: 0, floor: 0.3f, endSteps: 1, escalationFloor: 0.6f);
        r.Open(0);
        Assert.Equal(0.6f, r.Rule.FloorOf(3));
        Assert.Equal(0.3f, r.Rule.FloorOf(1));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.5f, 0.05f, 0.0f, 0.45f), 0, speech: true));
        Assert.Equal(CommandStep.Listening, r.Step(P(0.5f, 0.05f, 0.0f, 0.45f), 1, speech: false));
        Assert.True(r.IsOpen);
        // A sure "i need help" still fires and escalates.
        Assert.Equal(CommandStep.Listening, r.Step(P(0.2f, 0.05f, 0.0f, 0.75f), 2, speech: true));
        Assert.Equal(CommandStep.Intent, r.Step(P(0.3f, 0.05f, 0.0f, 0.65f), 3, speech: false));
        Assert.Equal(3, r.Class);
        Assert.Equal(0.7f, r.Confidence, 4);
    }

    [Fact]
    public void TheEndRuleGatesWithoutARecognizer()
    {
        var rule = new CommandEndRule(0.3f, 0.6f, [false, false, true], minCommandSeconds: 0.6);
        float[] mean = [0.5f, 0.1f, 0.4f];
        Assert.Equal(0, rule.Decide(mean, 1.0)); // the escalating class is below its floor: none, not the runner-up
        Assert.Equal(2, new CommandEndRule(0.3f, 0.3f, [false, false, true], 0.6).Decide(mean, 1.0));
        Assert.Equal(0, new CommandEndRule(0.3f, 0.3f, [false, false, true], 0.6).Decide(mean, 0.5));
        Assert.Equal(1, rule.Decide([0.6f, 0.35f, 0.05f], 0.6));
        Assert.True(rule.AllowsEarly(1, 0.3f, 1.2));
        Assert.False(rule.AllowsEarly(2, 0.59f, 2.0));
        Assert.False(rule.AllowsEarly(1, 0.9f, 1.12));
        Assert.False(rule.AllowsEarly(2, 1.0f, 2.0)); // an escalating intent waits for the end
    }
}
