using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Clips for the command head. Class k (1..C) is grammar phrase k − 1, spoken after "hey jarvis" or
/// after silence, so the phrase ends near the end of the head's window. Class 0 (none): chatter,
/// radio, the wake phrase alone, truncated commands (their first words), noise; and every window of a
/// command clip that has heard at most half of the command.
/// </summary>
public static class CommandCorpus
{
    /// <summary>The head's window: 40 embeddings (3.2 s, plus the embedding's own 0.76 s) cover the longest phrase.</summary>
    public const int Window = 40;

    private static readonly (double, double) TrainingSnr = (0, 20);
    private static readonly (double, double) Tail = (0.4, 0.7);

    /// <summary>Share of command clips that start with the wake phrase (the rest start after silence).</summary>
    private const double WakeShare = 0.6;

    /// <summary>One out-of-grammar request clip per this many none clips.</summary>
    private const int OutOfGrammarPerNone = 3;

    /// <param name="interfered">Extra clips per phrase with another talker or the radio over the command.</param>
    /// <param name="speedPerturb">After the clips above, a speed-perturbed copy of flite's clips (<see cref="SpeedPerturbation"/>): more flite-like pseudo-speakers.</param>
    public static List<ClipPlan> Training(CommandGrammar grammar, int perPhrase, int none, int seed, int interfered = 0, bool speedPerturb = false)
    {
        var plans = new List<ClipPlan>();
        for (var k = 0; k < grammar.Phrases.Count; k++)
            for (var i = 0; i < perPhrase; i++)
            {
                var rng = ClipDraw.Generator(seed, 100 + k, i);
                var texts = rng.NextDouble() < WakeShare ? new[] { grammar.Wake, grammar.Phrases[k].Text } : [grammar.Phrases[k].Text];
                plans.Add(new ClipPlan(ClipDraw.Spec(rng, texts, TrainingVoices.Pick(rng), TrainingSnr, Tail), k + 1));
            }
        for (var i = 0; i < none; i++)
        {
            var rng = ClipDraw.Generator(seed, 3, i);
            var voice = TrainingVoices.Pick(rng);
            var kind = rng.NextDouble();
            ClipSpec spec = kind switch
            {
                < 0.35 => ClipDraw.Spec(rng, WithWake(rng, grammar, Truncated(rng, grammar)), voice, TrainingSnr, Tail),
                < 0.55 => ClipDraw.Spec(rng, WithWake(rng, grammar, NegativeSpeech.Chatter[rng.Next(NegativeSpeech.Chatter.Length)]), voice, TrainingSnr, Tail),
                < 0.70 => ClipDraw.Spec(rng, [NegativeSpeech.Chatter[rng.Next(NegativeSpeech.Chatter.Length)]], voice, TrainingSnr, Tail, radio: true),
                < 0.85 => ClipDraw.Spec(rng, [grammar.Wake], voice, TrainingSnr, (0.5, 2.0)),
                _ => ClipDraw.Spec(rng, [], voice, TrainingSnr, (2.0, 3.5)),
            };
            plans.Add(new ClipPlan(spec, 0));
        }
        // Out-of-grammar requests (their own stream, so the clips above keep their cached features).
        for (var i = 0; i < none / OutOfGrammarPerNone; i++)
        {
            var rng = ClipDraw.Generator(seed, 4, i);
            var text = NegativeSpeech.OutOfGrammar[rng.Next(NegativeSpeech.OutOfGrammar.Length)];
            plans.Add(new ClipPlan(ClipDraw.Spec(rng, WithWake(rng, grammar, text), TrainingVoices.Pick(rng), TrainingSnr, Tail), 0));
        }
        // Commands with another talker or the radio over them, as a zone's beam hears its neighbours (own streams: cache kept).
        for (var k = 0; k < grammar.Phrases.Count; k++)
            for (var i = 0; i < interfered; i++)
            {
                var rng = ClipDraw.Generator(seed, 400 + k, i);
                var texts = rng.NextDouble() < WakeShare ? new[] { grammar.Wake, grammar.Phrases[k].Text } : [grammar.Phrases[k].Text];
                var spec = ClipDraw.Spec(rng, texts, TrainingVoices.Pick(rng), TrainingSnr, Tail);
                var radio = rng.NextDouble() < 0.4;
                var over = new Interference(NegativeSpeech.Chatter[rng.Next(NegativeSpeech.Chatter.Length)], TrainingVoices.Pick(rng),
                    StartSeconds: ClipDraw.Uniform(rng, 0, spec.LeadSeconds + 1.5), RelativeDb: ClipDraw.Uniform(rng, -15, -3), Radio: radio);
                plans.Add(new ClipPlan(spec with { Interference = over }, k + 1));
            }
        if (speedPerturb) plans.AddRange(SpeedPerturbation.Copies(plans));
        foreach (var p in plans)
        {
            TrainingVoices.EnsureTrainingVoice(p.Spec.Voice);
            if (p.Spec.Interference is { } over) TrainingVoices.EnsureTrainingVoice(over.Voice);
        }
        return plans;
    }

    /// <summary>Held out: "hey jarvis" + every phrase, <paramref name="perPhrase"/> times, acceptance voices, SNR in the band.</summary>
    public static List<ClipPlan> HeldOut(CommandGrammar grammar, int perPhrase, (double, double) snr, int seed)
    {
        var rng = new Random(seed);
        var plans = new List<ClipPlan>();
        for (var k = 0; k < grammar.Phrases.Count; k++)
            for (var i = 0; i < perPhrase; i++)
            {
                var voice = ScenarioGenerator.AcceptanceVoices[(k + i) % ScenarioGenerator.AcceptanceVoices.Length];
                plans.Add(new ClipPlan(ClipDraw.Spec(rng, [grammar.Wake, grammar.Phrases[k].Text], voice, snr, (1.0, 1.0), rateSpread: 0.6, pitchSpread: 0.6), k + 1));
            }
        return plans;
    }

    /// <summary>The first words of a random command (at least one word fewer than the whole).</summary>
    private static string Truncated(Random rng, CommandGrammar grammar)
    {
        var words = grammar.Phrases[rng.Next(grammar.Phrases.Count)].Text.Split(' ');
        return words.Length == 1 ? words[0] : string.Join(' ', words[..(1 + rng.Next(words.Length - 1))]);
    }

    private static string[] WithWake(Random rng, CommandGrammar grammar, string text) =>
        rng.NextDouble() < WakeShare ? [grammar.Wake, text] : [text];
}
