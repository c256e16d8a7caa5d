using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>
/// The command window in the whole pipeline (real VAD, mel and embedding models on every zone's beam):
/// which zone listens, when, for how long, and what is published. The command head here is a real ONNX
/// head with a fixed output, so what is tested is the wiring and the timing, not the head.
/// </summary>
public class CommandStageTests
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };
    private static readonly CabinProfile Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin);

    private static readonly float[] SaysOpenWindow = [0.05f, 0.9f, 0.03f, 0.02f];
    private static readonly float[] SaysNothing = [0.9f, 0.04f, 0.03f, 0.03f];
    private static readonly float[] SaysHelp = [0.05f, 0.02f, 0.03f, 0.9f];

    /// <summary>A head that says the same whatever it hears; without the length gate (nobody speaks in these tests, the windows are the subject).</summary>
    private static CommandHead Head(float[] probabilities, int patience = 2, double windowSeconds = 5)
    {
        var path = TestCommandHeads.Constant(probabilities);
        return CommandHead.Resolve(new CommandOptions { Model = path, Threshold = 0.5f, Patience = patience, WindowSeconds = windowSeconds, MinCommandSeconds = 0 }, TestModels.Store);
    }

    private static (CabinPipeline Pipeline, SpeechStage Speech, EventList Events) NewPipeline(CommandHead head, bool wakeWord = false)
    {
        var events = new EventList();
        IReadOnlyList<(string, WakeWordOptions)> heads = wakeWord ? [(TestModels.HeyJarvis, new WakeWordOptions())] : [];
        var speech = new SpeechStage([.. Cabin.Zones.Select(z => z.Name)], SpeechModelPaths.From(TestModels.Store), heads, Cpu, commands: head);
        var pipeline = new CabinPipeline(Cabin, events) { Speech = speech };
        pipeline.Start("test");
        return (pipeline, speech, events);
    }

    /// <summary>Low cabin noise (fixed seed): the voice detector hears nobody.</summary>
    private static void Feed(CabinPipeline pipeline, double seconds, int seed = 1)
    {
        var rng = new Random(seed);
        var hop = new float[CabinPipeline.HopFrames * Cabin.Mics.Count];
        for (var n = 0; n < (int)Math.Round(seconds * 100); n++)
        {
            for (var i = 0; i < hop.Length; i++) hop[i] = (float)(0.001 * (rng.NextDouble() - 0.5));
            pipeline.Process(hop);
        }
    }

    [Fact]
    public void PushToTalkOpensAWindowInItsZoneAndOneIntentFiresThere()
    {
        var (pipeline, speech, events) = NewPipeline(Head(SaysOpenWindow, patience: 2));
        using (speech)
        {
            Feed(pipeline, 0.5);
            pipeline.Listening.PushToTalk("rear-left");
            Feed(pipeline, 3.0, seed: 2);
            pipeline.Finish();
        }

        var wake = Assert.Single(events.OfType<WakeEvent>());
        Assert.Equal(("push-to-talk", "rear-left", 0.51), (wake.Keyword, wake.Zone, wake.StreamTime));
        var intent = Assert.Single(events.OfType<IntentEvent>());
        Assert.Equal(("window.open", "rear-left"), (intent.Intent, intent.Zone));
        Assert.Empty(intent.Slots);
        Assert.Equal(0.9, intent.Confidence, 3);
        // Patience 2: the second 80 ms step after the press decides.
        Assert.InRange(intent.StreamTime - wake.StreamTime, 0.08, 0.17);
        Assert.InRange(intent.UtteranceStart, wake.StreamTime - 0.01, intent.UtteranceEnd);
        Assert.True(intent.UtteranceEnd <= intent.StreamTime);
        // The zone embedded its steps although nobody spoke: the window forces the embedding on.
        Assert.True(speech.Zones[2].ActiveSteps >= 2);
        Assert.Equal(0, speech.Zones[0].ActiveSteps);
        Assert.Equal(new CommandStatus(1, 1, 0), events.OfType<StatusEvent>()[^1].Commands);
    }

    [Fact]
    public void AMutedZoneNeitherWakesNorListens()
    {
        var (pipeline, speech, events) = NewPipeline(Head(SaysOpenWindow));
        using (speech)
        {
            pipeline.Listening.SetMuted("rear-left", true);
            Feed(pipeline, 0.2);
            pipeline.Listening.PushToTalk("rear-left");
            Feed(pipeline, 1.0);

            // Muting a zone while its window is open ends the window without an intent.
            pipeline.Listening.PushToTalk("driver");
            pipeline.Listening.SetMuted("driver", true);
            Feed(pipeline, 1.0);
            pipeline.Finish();
        }
        Assert.Empty(events.OfType<IntentEvent>());
        Assert.Empty(events.OfType<WakeEvent>());
        Assert.Equal(new CommandStatus(0, 0, 0), events.OfType<StatusEvent>()[^1].Commands);
    }

    [Fact]
    public void AMuteAfterThePressCancelsTheOpenWindow()
    {
        var (pipeline, speech, events) = NewPipeline(Head(SaysOpenWindow, patience: 3));
        using (speech)
        {
            Feed(pipeline, 0.2);
            pipeline.Listening.PushToTalk("driver");
            Feed(pipeline, 0.1);
            pipeline.Listening.SetMuted("driver", true);
            Feed(pipeline, 1.0);
            pipeline.Finish();
        }
        Assert.Single(events.OfType<WakeEvent>());
        Assert.Empty(events.OfType<IntentEvent>());
        Assert.Equal(new CommandStatus(1, 0, 0), events.OfType<StatusEvent>()[^1].Commands);
    }

    [Fact]
    public void AWindowWithoutAnIntentEndsAsANoMatchAfterItsLength()
    {
        var (pipeline, speech, events) = NewPipeline(Head(SaysNothing, windowSeconds: 2));
        var noMatches = new List<CommandNoMatch>();
        speech.NoMatch += noMatches.Add;
        using (speech)
        {
            Feed(pipeline, 0.3);
            pipeline.Listening.PushToTalk("front-passenger");
            Feed(pipeline, 4.0);
            pipeline.Finish();
        }
        Assert.Empty(events.OfType<IntentEvent>());
        var miss = Assert.Single(noMatches);
        Assert.Equal("front-passenger", miss.Zone);
        Assert.Equal(0.31, miss.OpenedAt);
        Assert.InRange(miss.StreamTime - miss.OpenedAt, 1.92, 2.01);
        Assert.Equal(new CommandStatus(1, 0, 1), events.OfType<StatusEvent>()[^1].Commands);
    }

    [Fact]
    public void AnEmergencyIntentIsFollowedByItsEscalationAtTheSameStreamTime()
    {
        // An escalating intent waits for the end of an utterance (never the early rule): someone must speak.
        var scene = new CabinScene
        {
            Cabin = Cabin,
            DurationSeconds = 5,
            Seed = 3,
            Noise = new SceneNoise(20),
            Events =
            [
                new SceneEvent { Kind = SceneSourceKind.Talker, Source = "rear-left", StartSeconds = 1.0, Text = "hey jarvis", Voice = "flite:slt" },
                new SceneEvent { Kind = SceneSourceKind.Talker, Source = "rear-left", StartSeconds = 2.4, Text = "i need help", Voice = "flite:slt" },
            ],
        };
        var render = new CabinSimulator().Render(scene);
        var (pipeline, speech, events) = NewPipeline(Head(SaysHelp, patience: 1), wakeWord: true);
        using (speech) PipelineAudio.Play(pipeline, render.Mix);
        var all = events.Snapshot();
        var wake = Assert.Single(events.OfType<WakeEvent>());
        var i = Array.FindIndex(all, e => e is IntentEvent);
        var intent = Assert.IsType<IntentEvent>(all[i]);
        Assert.Equal(("assist.emergency", "rear-left"), (intent.Intent, intent.Zone));
        // Patience 1 would have fired on the first step of the window; the end of an utterance decided.
        Assert.True(intent.StreamTime - wake.StreamTime > 0.09, $"intent {intent.StreamTime - wake.StreamTime:0.00} s after the wake word");
        var escalation = Assert.IsType<EscalationEvent>(all[i + 1]);
        Assert.Equal(("distress", "high", "rear-left", "emergency-intent"), (escalation.Reason, escalation.Severity, escalation.Zone, escalation.Trigger));
        Assert.Equal(intent.StreamTime, escalation.StreamTime);
        Assert.Equal("assist.emergency", escalation.Evidence!.Intent);
        Assert.Equal(0.9, escalation.Evidence.Confidence!.Value, 3);
        Assert.Single(events.OfType<EscalationEvent>());
    }

    [Fact]
    public void AWakeWordOpensTheWindowInTheZoneItWasSpokenFrom()
    {
        // "hey jarvis" from the rear-left seat through the simulated cabin; every zone's beam hears it.
        var scene = new CabinScene
        {
            Cabin = Cabin,
            DurationSeconds = 5,
            Seed = 3,
            Noise = new SceneNoise(20),
            Events = [new SceneEvent { Kind = SceneSourceKind.Talker, Source = "rear-left", StartSeconds = 1.0, Text = "hey jarvis", Voice = "flite:slt" }],
        };
        var render = new CabinSimulator().Render(scene);
        var (pipeline, speech, events) = NewPipeline(Head(SaysOpenWindow, patience: 2), wakeWord: true);
        using (speech) PipelineAudio.Play(pipeline, render.Mix);
        var wake = Assert.Single(events.OfType<WakeEvent>());
        Assert.Equal("rear-left", wake.Zone);
        var intent = Assert.Single(events.OfType<IntentEvent>());
        Assert.Equal("rear-left", intent.Zone);
        Assert.InRange(intent.StreamTime - wake.StreamTime, 0.08, 0.17);
        Assert.Equal(new CommandStatus(1, 1, 0), events.OfType<StatusEvent>()[^1].Commands);
    }
}
