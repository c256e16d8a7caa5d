using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Simulation;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>
/// The project's own heads (models/trained: hey_jarvis and commands-en) on held-out TTS voices (flite
/// awb and rms, never trained on) spoken from a seat of the simulated cabin, through the whole pipeline.
/// </summary>
public class CommandEndToEndTests(ITestOutputHelper output)
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };
    private static readonly CabinProfile Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin);

    private static (EventList Events, RenderedUtterance Said) Replay(string text, string zone, string voice, int seed, WakeVerifier? verifier = null)
    {
        var scene = new CabinScene
        {
            Cabin = Cabin,
            DurationSeconds = 9,
            Seed = seed,
            Noise = new SceneNoise(15),
            Events = [new SceneEvent { Kind = SceneSourceKind.Talker, Source = zone, StartSeconds = 1.0, Text = text, Voice = voice }],
        };
        var render = new CabinSimulator().Render(scene);
        var events = new EventList();
        using var speech = SpeechStage.Create(Cabin, TestModels.Store, [new WakeHead { Model = "hey_jarvis" }], Cpu, commands: new CommandOptions());
        if (verifier is not null) speech.WakeVerifier = verifier;
        var pipeline = new CabinPipeline(Cabin, events) { Speech = speech };
        pipeline.Start("test");
        PipelineAudio.Play(pipeline, render.Mix);
        return (events, render.Utterances.Single());
    }

    [Theory]
    [InlineData("hey jarvis, set the temperature to twenty one degrees", "front-passenger", "flite:awb", "climate.temperature.set", "celsius", "21")]
    [InlineData("hey jarvis, i need help", "driver", "flite:rms", "assist.emergency", "", "")]
    public void AWakeWordAndACommandFromASeatGiveTheIntentInThatSeat(string text, string zone, string voice, string intent, string slot, string value) =>
        Check(text, zone, voice, intent, slot, value);

    /// <summary>
    /// The same check on a phrase the current command head (models/trained, kernel-3 head of
    /// 2026-11-26) gets wrong: "open the window" is heard as window.close. The runtime publishes what the
    /// head decides; this passes once the head learns it.
    /// </summary>
    [Theory(Skip = "command head below target: window.open heard as window.close for this voice and seat")]
    [InlineData("hey jarvis, open the window", "rear-left", "flite:awb", "window.open", "", "")]
    public void PhrasesTheCurrentHeadMisses(string text, string zone, string voice, string intent, string slot, string value) =>
        Check(text, zone, voice, intent, slot, value);

    /// <summary>
    /// A wake word the transcriber does not hear as the keyword (here: a bar no score reaches) opens nothing: no
    /// wake event, no intent and no failed command, though the command window listened meanwhile.
    /// </summary>
    [Fact]
    public void AWakeWordTheTranscriberDoesNotConfirmOpensNothing()
    {
        var (events, _) = Replay("hey jarvis, set the temperature to twenty one degrees", "front-passenger", "flite:awb", seed: 5, new WakeVerifier { MinScore = 0 });
        Assert.DoesNotContain(events.Snapshot(), e => e is WakeEvent or IntentEvent or EscalationEvent);
        var status = Assert.IsType<StatusEvent>(events.Snapshot().Last(e => e is StatusEvent));
        Assert.Equal(0, status.Commands!.Windows);
    }

    private void Check(string text, string zone, string voice, string intent, string slot, string value)
    {
        var (events, said) = Replay(text, zone, voice, seed: 5);
        foreach (var e in events.Snapshot().Where(e => e is WakeEvent or IntentEvent or EscalationEvent)) output.WriteLine(e.ToString());

        var wake = Assert.Single(events.OfType<WakeEvent>());
        Assert.Equal(zone, wake.Zone);
        var heard = Assert.Single(events.OfType<IntentEvent>());
        Assert.Equal((intent, zone), (heard.Intent, heard.Zone));
        Assert.Equal(slot.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [slot] = value }, heard.Slots);
        Assert.True(heard.StreamTime > wake.StreamTime);
        // End of the command (at the source; it reaches the array a few ms later) to the intent, in stream time.
        var latency = heard.StreamTime - said.EndSeconds;
        output.WriteLine($"command ends {said.EndSeconds:F3} s, intent at {heard.StreamTime:F3} s: latency {latency * 1000:F0} ms");
        Assert.InRange(latency, -0.3, 0.5);

        var escalations = events.OfType<EscalationEvent>();
        if (intent == "assist.emergency")
        {
            var escalation = Assert.Single(escalations);
            Assert.Equal(("distress", "high", zone, heard.StreamTime), (escalation.Reason, escalation.Severity, escalation.Zone, escalation.StreamTime));
        }
        else
        {
            Assert.Empty(escalations);
        }
    }
}
