using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// The transcriber's command decisions (<see cref="CommandTranscriber"/>) on the held-out voices through
/// the simulated cabins, per SNR band: the same "hey jarvis" + command clips as the head's evaluation,
/// each cut to the command as the runtime cuts an utterance (its speech ± <see cref="CommandRecognizer.PaddingSeconds"/>;
/// here the truth, at runtime the voice detector); and, for false intents, single held-out sentences that
/// are no command (everyday talk, radio talk from a door loudspeaker, out-of-grammar requests), as a
/// zone hears them after a false wake word. Rows with the command head weighing in (the runtime's way)
/// and one of the transcriber alone.
/// </summary>
public static class TranscriberEvaluation
{
    /// <summary><see cref="CommandOptions.MaxDeficit"/> values reported side by side (the transcriber's own is one row too).</summary>
    private static readonly float[] Deficits = [1.0f, 1.3f, CommandOptions.DefaultMaxDeficit, 2.0f, 2.5f];

    /// <param name="head">The command head trained on <paramref name="grammar"/>, whose mean probabilities at the command's end weigh in as at runtime.</param>
    public static string Run(TrainingContext context, CommandGrammar grammar, CommandTranscriber transcriber, HeadRunner head, int perPhrase, int negatives, int seed)
    {
        var md = new StringBuilder();
        var escalates = grammar.Phrases.Select(p => grammar.Escalations.ContainsKey(p.Intent)).Prepend(false).ToArray();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| commands by, max deficit (nats/token; escalating intents ≤ {transcriber.EscalationMaxDeficit:0.0#}; +{transcriber.AgreedExtraDeficit:0.0#} where the head gives ≥ {transcriber.HeadAgreement:0.0#}) | SNR | top-1 accuracy | missed | wrong | false intents on non-command utterances | escalating intents right | false escalations | decision time p50 / p95 |"));
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, lo, hi, b) in HeldOutEvaluation.Bands.Select((band, b) => (band.Name, band.Lo, band.Hi, b)))
        {
            var plans = CommandCorpus.HeldOut(grammar, perPhrase, (lo, hi), seed + (100 * b) + 3);
            var times = new List<double>();
            var commands = plans.Select(p => (Truth: p.Label, Heard: Decide(context, transcriber, head, p.Spec, times))).ToList();
            var rng = new Random(seed + (100 * b) + 4);
            var talk = new List<(string Text, Heard Heard)>();
            for (var i = 0; i < negatives; i++)
            {
                var voice = ScenarioGenerator.AcceptanceVoices[i % ScenarioGenerator.AcceptanceVoices.Length];
                var kind = i % 3;
                var text = kind == 2 ? NegativeSpeech.OutOfGrammar[rng.Next(NegativeSpeech.OutOfGrammar.Length)] : ScenarioGenerator.Chatter[rng.Next(ScenarioGenerator.Chatter.Length)];
                talk.Add((text, Decide(context, transcriber, head, ClipDraw.Spec(rng, [text], voice, (lo, hi), (1.0, 1.0), radio: kind == 1, rateSpread: 0.6, pitchSpread: 0.6), times)));
            }
            times.Sort();
            var rows = Deficits.Append(transcriber.MaxDeficit).Distinct().Order().Select(max => (Fused: true, Max: max)).Append((Fused: false, Max: transcriber.MaxDeficit));
            foreach (var (fused, max) in rows)
            {
                int Decided(Heard h)
                {
                    var (best, deficit, agreed) = fused ? (h.Best, h.Deficit, h.Agreed) : (h.AloneBest, h.AloneDeficit, false);
                    var limit = (escalates[best] ? Math.Min(max, transcriber.EscalationMaxDeficit) : max) + (agreed ? transcriber.AgreedExtraDeficit : 0);
                    return deficit <= limit ? best : 0;
                }
                var right = commands.Count(c => Decided(c.Heard) == c.Truth);
                var missed = commands.Count(c => Decided(c.Heard) == 0);
                var fired = talk.Where(t => Decided(t.Heard) > 0).ToList();
                var emergencies = commands.Where(c => escalates[c.Truth]).ToList();
                var falseEscalations = commands.Count(c => !escalates[c.Truth] && escalates[Decided(c.Heard)]) + fired.Count(t => escalates[Decided(t.Heard)]);
                var by = fused ? $"Moonshine tiny + command head (weight {transcriber.HeadWeight:0.0#})" : "Moonshine tiny alone";
                md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {by}, {max:0.0#} | {name} | {(double)right / commands.Count:P1} ({right}/{commands.Count}) | {missed} | {commands.Count - right - missed} | {fired.Count}/{talk.Count} | {emergencies.Count(c => Decided(c.Heard) == c.Truth)}/{emergencies.Count} | {falseEscalations} | {Percentile(times, 0.5):0} / {Percentile(times, 0.95):0} ms |"));
                if (fused && max == transcriber.MaxDeficit)
                {
                    var errors = commands.Where(c => Decided(c.Heard) != c.Truth).GroupBy(c => (c.Truth, Decided(c.Heard))).OrderByDescending(g => g.Count());
                    context.Log.WriteLine($"{name}, {max}: errors: {string.Join("; ", errors.Select(g => $"{Name(grammar, g.Key.Truth)} → {Name(grammar, g.Key.Item2)} ×{g.Count()}"))}");
                    context.Log.WriteLine($"{name}, {max}: false intents: {string.Join("; ", fired.Select(t => $"\"{t.Text}\" → {Name(grammar, t.Heard.Best)}"))}");
                }
            }
        }
        context.Log.WriteLine(md.ToString());
        return md.ToString();
    }

    /// <summary>One utterance's best phrase and deficit with the head (and whether the head agreed) and by the transcriber alone.</summary>
    private readonly record struct Heard(int Best, float Deficit, bool Agreed, int AloneBest, float AloneDeficit);

    private static Heard Decide(TrainingContext context, CommandTranscriber transcriber, HeadRunner head, ClipSpec spec, List<double> times)
    {
        var clip = context.Renderer.Render(spec);
        var pad = (int)(CommandRecognizer.PaddingSeconds * SpeechSteps.SampleRate);
        var start = Math.Max(0, clip.TargetStart - pad);
        var end = Math.Min(clip.Audio.Length, clip.TargetEnd + pad);
        // The head's mean over the command's last speech step and the quiet step after it, as the runtime's end rule takes it.
        var features = context.Features.Get(spec, clip);
        var p = head.Run(features);
        var c = head.Outputs;
        var last = Math.Min((p.Length / c) - 1, features.TargetEndStep + CommandOptions.DefaultEndSteps - EmbeddingExtractor.FirstStep);
        var first = Math.Max(0, Math.Min(last, features.TargetEndStep - EmbeddingExtractor.FirstStep));
        var mean = new float[c];
        HeadEvaluation.Mean(p, c, first, last, mean);
        var started = Stopwatch.GetTimestamp();
        transcriber.Decide(clip.Audio.AsSpan(start, end - start), mean, out _);
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var (best, deficit, agreed) = (transcriber.LastBest, transcriber.LastDeficit, mean[transcriber.LastBest] >= transcriber.HeadAgreement);
        transcriber.Choose([], out _);
        return new(best, deficit, agreed, transcriber.LastBest, transcriber.LastDeficit);
    }

    private static string Name(CommandGrammar grammar, int k) => k == 0 ? "none" : grammar.Phrases[k - 1].Text;

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
