using System.Globalization;
using System.Text;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Measures the trained heads (and, side by side, a pretrained wake head) on clips spoken only by
/// the acceptance voices (flite awb, rms) through the simulated cabins, per SNR band, and writes a
/// Markdown table.
/// </summary>
public static class HeldOutEvaluation
{
    public static readonly (string Name, double Lo, double Hi)[] Bands = [("0–10 dB", 0, 10), ("10–20 dB", 10, 20)];

    /// <summary>Floors of <see cref="CommandEndRule"/> reported side by side (null: the most likely class, none included).</summary>
    private static readonly float?[] Floors = [null, 0.1f, 0.2f, CommandOptions.DefaultFloor, 0.4f, 0.5f];

    public static string Run(TrainingContext context, CommandGrammar grammar, string headsDir, string? pretrainedWake, int wakePerBand, int negativesPerBand, int commandsPerPhrase, int seed, int endSteps = CommandOptions.DefaultEndSteps)
    {
        var log = context.Log;
        var md = new StringBuilder();
        var wakeHeads = new List<(string Name, string Path)> { ("own hey_jarvis", Path.Combine(headsDir, HeadTraining.WakeFile)) };
        if (pretrainedWake is not null) wakeHeads.Add(("pretrained hey_jarvis_v0.1", pretrainedWake));
        md.AppendLine("| head | SNR | wake recall | false accepts / hour (hours) |");
        md.AppendLine("|---|---|---|---|");
        var negativesByBand = new List<List<ClipFeatures>>();
        for (var b = 0; b < Bands.Length; b++)
        {
            var (name, lo, hi) = Bands[b];
            var positives = context.Embed(WakeWordCorpus.HeldOutPositives(grammar, wakePerBand, (lo, hi), seed + (100 * b) + 1), $"held-out wake {name}");
            var negatives = context.Embed(WakeWordCorpus.HeldOutNegatives(grammar, negativesPerBand, (lo, hi), seed + (100 * b) + 2), $"held-out negatives {name}");
            negativesByBand.Add(negatives);
            foreach (var (headName, path) in wakeHeads)
            {
                using var head = new HeadRunner(path);
                var s = HeadEvaluation.Wake(head, positives, negatives);
                md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {headName} | {name} | {s.Recall:P1} ({s.Detected}/{s.Positives}) | {s.FalseAcceptsPerHour:0.0} ({s.FalseAccepts} in {s.NegativeHours:0.00} h) |"));
            }
        }

        var commandsPath = Path.Combine(headsDir, HeadTraining.CommandsFile);
        if (File.Exists(commandsPath))
        {
            md.AppendLine();
            md.AppendLine("| command head | SNR | top-1 accuracy | missed | latency p50 / p95 after the command | false intents / hour on chatter, radio, noise (hours) |");
            md.AppendLine("|---|---|---|---|---|---|");
            using var head = new HeadRunner(commandsPath);
            var confusions = new List<(string Band, string Rule, CommandScores Scores)>();
            for (var b = 0; b < Bands.Length; b++)
            {
                var (name, lo, hi) = Bands[b];
                var plans = CommandCorpus.HeldOut(grammar, commandsPerPhrase, (lo, hi), seed + (100 * b) + 3);
                var clips = context.Embed(plans.Select(p => p.Spec).ToList(), $"held-out commands {name}");
                // The command streams of the wake negatives are commands, not false intents.
                var negatives = negativesByBand[b].Where((_, i) => i % 4 != 0).ToList();
                var labels = plans.Select(p => p.Label).ToList();
                foreach (var floor in Floors)
                {
                    var end = HeadEvaluation.CommandsAtEnd(head, clips, labels, negatives, floor, endSteps);
                    var rule = floor is { } f ? string.Create(CultureInfo.InvariantCulture, $"end, best command ≥ {f:0.00}") : "end, most likely incl. none";
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| commands-en, {rule} | {name} | {end.Accuracy:P1} ({end.Correct}/{end.Clips}) | {end.Missed} | {end.LatencyP50Ms:0} / {end.LatencyP95Ms:0} ms | {end.FalseIntentsPerHour:0.0} ({end.FalseIntents} in {end.NegativeHours:0.00} h) |"));
                    if (floor == CommandOptions.DefaultFloor || floor is null) confusions.Add((name, rule, end));
                }
                {
                    // The runtime's rule with its defaults: escalation floor and shortest command too.
                    var options = new CommandOptions();
                    var escalates = Enumerable.Range(0, grammar.Phrases.Count + 1).Select(k => k > 0 && grammar.Escalations.ContainsKey(grammar.Phrases[k - 1].Intent)).ToList();
                    var runtime = new CommandEndRule(options.Floor, options.EscalationFloor, escalates, options.MinCommandSeconds);
                    var end = HeadEvaluation.CommandsAtEnd(head, clips, labels, negatives, null, endSteps, runtime);
                    var rule = string.Create(CultureInfo.InvariantCulture, $"end, runtime rule (floor {options.Floor:0.00}, escalation floor {options.EscalationFloor:0.00}, ≥ {options.MinCommandSeconds:0.0#} s)");
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| commands-en, {rule} | {name} | {end.Accuracy:P1} ({end.Correct}/{end.Clips}) | {end.Missed} | {end.LatencyP50Ms:0} / {end.LatencyP95Ms:0} ms | {end.FalseIntentsPerHour:0.0} ({end.FalseIntents} in {end.NegativeHours:0.00} h) |"));
                    var emergency = end.Decisions.Where(d => escalates[d.Truth]).ToList();
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| commands-en, {rule}: escalating intents right | {name} | {emergency.Count(d => d.Decided == d.Truth)}/{emergency.Count} | {emergency.Count(d => d.Decided == 0)} | | |"));
                    confusions.Add((name, rule, end));
                }
                foreach (var patience in new[] { 2 })
                {
                    var s = HeadEvaluation.Commands(head, clips, plans.Select(p => p.Label).ToList(), negatives, patience);
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| commands-en, patience {patience} | {name} | {s.Accuracy:P1} ({s.Correct}/{s.Clips}) | {s.Missed} | {s.LatencyP50Ms:0} / {s.LatencyP95Ms:0} ms | {s.FalseIntentsPerHour:0.0} ({s.FalseIntents} in {s.NegativeHours:0.00} h) |"));
                }
            }
            foreach (var (band, rule, scores) in confusions) Confusions(md, grammar, band, rule, scores);
        }
        log.WriteLine(md.ToString());
        return md.ToString();
    }

    /// <summary>Where the errors go: missed (none), one temperature for another, other wrong classes, and the commonest pairs.</summary>
    private static void Confusions(StringBuilder md, CommandGrammar grammar, string band, string rule, CommandScores scores)
    {
        string Name(int k) => k == 0 ? "none" : grammar.Phrases[k - 1].Text;
        bool Temperature(int k) => k > 0 && grammar.Phrases[k - 1].Intent == "climate.temperature.set";
        var wrong = scores.Decisions.Where(d => d.Decided != d.Truth).ToList();
        var missed = wrong.Count(d => d.Decided == 0);
        var temperature = wrong.Count(d => d.Decided != 0 && Temperature(d.Truth) && Temperature(d.Decided));
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{band}, {rule}: {wrong.Count} errors of {scores.Clips}: {missed} missed (none), {temperature} one temperature for another, {wrong.Count - missed - temperature} other wrong commands. Commonest:"));
        foreach (var g in wrong.GroupBy(d => d).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Truth).Take(12))
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- {Name(g.Key.Truth)} → {Name(g.Key.Decided)} ×{g.Count()}"));
    }
}
