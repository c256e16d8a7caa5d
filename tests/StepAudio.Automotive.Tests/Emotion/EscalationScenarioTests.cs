using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Tools.Simulation;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Emotion;

/// <summary>
/// End to end through the cabin simulator (image-source room, diffuse noise at 20 dB SNR): a driver
/// talks calmly, then (from the onset) louder, faster and higher. Voice only, one microphone (the
/// spatial stage's beam is not used here), prosody → fusion → policy in stream time.
/// </summary>
[Collection(HeavyAudioCollection.Name)]
public class EscalationScenarioTests(ITestOutputHelper output)
{
    private const double Onset = 14.5;

    [Fact]
    public void AnIncreasinglyAgitatedDriverEscalatesWithinSixSecondsOfOnsetAndTheCalmOneNever()
    {
        var agitated = Escalations(agitatedFromOnset: true, out var agitatedEmotions);
        var calm = Escalations(agitatedFromOnset: false, out var calmEmotions);
        output.WriteLine("agitated: " + string.Join("; ", agitated.Select(e => $"{e.StreamTime:F2} {e.Severity} {e.Reason}")));
        output.WriteLine("agitated emotions: " + string.Join("; ", agitatedEmotions.Select(e => $"{e.StreamTime:F1} {e.Label} {e.Agitation:F2}")));
        output.WriteLine("calm emotions: " + string.Join("; ", calmEmotions.Select(e => $"{e.StreamTime:F1} {e.Label} {e.Agitation:F2}")));

        Assert.Empty(calm);
        Assert.DoesNotContain(calmEmotions, e => e.Label == "agitated");
        Assert.NotEmpty(agitated);
        var first = agitated[0];
        Assert.All(agitated, e => Assert.Equal("sustained-agitation", e.Trigger));
        // Later ones only at a higher severity (the cooldown holds the same severity back).
        Assert.Equal(agitated.Count, agitated.Select(e => e.Severity).Distinct().Count());
        Assert.InRange(first.StreamTime - Onset, 0, 6);
        Assert.Equal(1, first.Evidence!.VoiceWeight);
    }

    private static List<EscalationEvent> Escalations(bool agitatedFromOnset, out List<EmotionEvent> emotions)
    {
        var events = new List<SceneEvent>();
        var t = 0.5;
        foreach (var s in ProsodySpeech.Sentences[..4])
        {
            events.Add(new SceneEvent { Kind = SceneSourceKind.Talker, Source = "driver", StartSeconds = t, Text = s });
            t += 3.5;
        }
        // Progressively louder, faster and higher from the onset (or the same calm voice).
        (double Rate, double Pitch, double Gain)[] steps = agitatedFromOnset
            ? [(1.3, 1.5, 8), (1.4, 1.6, 10), (1.5, 1.7, 11), (1.5, 1.8, 12)]
            : [(1, 1, 0), (1, 1, 0), (1, 1, 0), (1, 1, 0)];
        t = Onset;
        for (var i = 0; i < steps.Length; i++)
        {
            events.Add(new SceneEvent
            {
                Kind = SceneSourceKind.Talker,
                Source = "driver",
                StartSeconds = t,
                Text = ProsodySpeech.Sentences[(i + 2) % ProsodySpeech.Sentences.Length],
                Rate = steps[i].Rate,
                Pitch = steps[i].Pitch,
                GainDb = steps[i].Gain,
            });
            t += 3.5 / steps[i].Rate;
        }
        var scene = new CabinScene
        {
            Cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin),
            DurationSeconds = 28,
            Noise = new SceneNoise(20),
            Seed = 3,
            Events = events,
        };
        var render = new CabinSimulator().Render(scene);
        var mic = render.Mix[0];

        var prosody = new ProsodyAnalyzer();
        var fusion = new SeatEmotionFusion("driver");
        var policy = new EscalationPolicy();
        var escalations = new List<EscalationEvent>();
        emotions = [];
        for (var i = 0; i + ProsodyAnalyzer.Hop <= mic.Length; i += ProsodyAnalyzer.Hop)
        {
            var now = (i + ProsodyAnalyzer.Hop) / (double)CabinProfile.PipelineSampleRate;
            prosody.Process(mic.AsSpan(i, ProsodyAnalyzer.Hop));
            fusion.Voice(prosody.Emotion, now);
            if (fusion.Emit(now) is { } emotion) emotions.Add(emotion);
            if (policy.OnEmotion("driver", fusion.Fuse(now), now) is { } e) escalations.Add(e);
        }
        return escalations;
    }
}
