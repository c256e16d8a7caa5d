using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>One scenario run in one mode: the turn's wake word and intent and their seats, and intents nobody in the car asked for.</summary>
public sealed record AvScenarioResult(string Scenario, string Kind, bool AudioVisual, int Turns, int Wakes, int WakeZoneRight, int Intents, int IntentRight, int FalseWakes, int FalseIntents, string Detail);

/// <summary>
/// Runs AV scenarios (<see cref="AvScenarioGenerator"/>) through the real pipeline — spatial front end,
/// speech stage with the default wake word and command heads, and, in the audio-visual mode, the vision
/// stage on the scenario's video — and scores the wake word's and the intent's seat against the script.
/// </summary>
public sealed class AvAttributionScorer(ModelStore store, InferenceOptions inference, VisionOptions? vision = null)
{
    public AvScenarioResult Run(string directory, bool audioVisual)
    {
        var truth = HilTruth.Load(Path.Combine(directory, HilTruth.FileName));
        var profile = CabinProfileReader.Load(truth.Cabin);
        var events = new EventList();
        using var speech = SpeechStage.Create(profile, store, WakeHead.Resolve([]), inference, commands: new CommandOptions());
        using var cabinVision = audioVisual ? CabinVision.Load(profile.Camera!, store, inference, vision) : null;
        using var camera = audioVisual ? new VideoInput(new Y4mFileSource(Path.Combine(directory, AvScenarioGenerator.VideoFile))) : null;
        var pipeline = new CabinPipeline(profile, events) { Speech = speech, Vision = cabinVision };
        if (camera is not null) pipeline.AttachVideo(camera);
        using var source = AudioSourceFactory.OpenRecording(Path.Combine(directory, truth.Audio), profile);
        new PipelineRunner(() => source, pipeline).Run(CancellationToken.None);
        return Score(truth, events.Events, audioVisual);
    }

    public static AvScenarioResult Score(HilTruth truth, IReadOnlyList<CabinEvent> events, bool audioVisual)
    {
        var wakes = events.OfType<WakeEvent>().ToList();
        var intents = events.OfType<IntentEvent>().ToList();
        int wakeFound = 0, wakeRight = 0, intentFound = 0, intentRight = 0;
        var usedWakes = new HashSet<WakeEvent>();
        var usedIntents = new HashSet<IntentEvent>();
        foreach (var turn in truth.Turns)
        {
            var wake = wakes.FirstOrDefault(w => w.StreamTime >= turn.WakeStart && w.StreamTime <= turn.CommandEnd + 1.0);
            if (wake is not null)
            {
                usedWakes.Add(wake);
                wakeFound++;
                if (wake.Zone == turn.Zone) wakeRight++;
            }
            var intent = intents.FirstOrDefault(i => i.StreamTime >= turn.CommandStart && i.StreamTime <= turn.CommandEnd + HilScorer.IntentWindowSeconds);
            if (intent is not null)
            {
                usedIntents.Add(intent);
                intentFound++;
                if (intent.Zone == turn.Zone && intent.Intent == turn.Intent) intentRight++;
            }
        }
        var detail = string.Join(" ", wakes.Select(w => $"wake:{w.Zone}@{w.StreamTime}").Concat(intents.Select(i => $"intent:{i.Intent}:{i.Zone}@{i.StreamTime}")));
        return new AvScenarioResult(truth.Scenario, truth.Kind, audioVisual, truth.Turns.Count, wakeFound, wakeRight, intentFound, intentRight,
            wakes.Count(w => !usedWakes.Contains(w)), intents.Count(i => !usedIntents.Contains(i)), detail);
    }

    private sealed class EventList : IEventSink
    {
        public List<CabinEvent> Events { get; } = [];

        public void Publish(CabinEvent e) => Events.Add(e);
    }
}
