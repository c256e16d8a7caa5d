using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Clips for the "hey jarvis" head. Positives: the wake phrase in training voices. Negatives: grammar
/// commands, near misses ("hey travis", "jarvis" alone), chatter, radio talk from a door
/// loudspeaker, and noise alone. The held-out set speaks with the acceptance voices only.
/// </summary>
public static class WakeWordCorpus
{
    /// <summary>The head's window: openWakeWord's 16 embeddings (1.28 s).</summary>
    public const int Window = 16;

    private static readonly (double, double) TrainingSnr = (0, 20);
    private static readonly (double, double) Tail = (0.4, 0.9);

    /// <summary>
    /// Training clips: <paramref name="positives"/> "hey jarvis", <paramref name="negatives"/> of the mix
    /// above, then <paramref name="hardNegatives"/> conversations of two or three chatter sentences in a
    /// row (85 % a talker, 15 % the radio), the speech the head meets most in a cabin. The first two sets
    /// do not depend on the third, so their cached features stay valid when it grows. Then
    /// <paramref name="interferedPositives"/> "hey jarvis" with another talker (60 %) or the radio (40 %)
    /// speaking chatter over it at −15…−3 dB, as a zone's beam hears its neighbours: trained on
    /// conversation alone, the head learned to refuse a wake word with speech around it.
    /// </summary>
    /// <param name="speedPerturb">After the clips above, a speed-perturbed copy of flite's clips (<see cref="SpeedPerturbation"/>).</param>
    public static List<ClipPlan> Training(CommandGrammar grammar, int positives, int negatives, int seed, int hardNegatives = 0, int interferedPositives = 0, bool speedPerturb = false)
    {
        var plans = new List<ClipPlan>();
        for (var i = 0; i < positives; i++)
        {
            var rng = ClipDraw.Generator(seed, 1, i);
            plans.Add(new ClipPlan(ClipDraw.Spec(rng, [grammar.Wake], TrainingVoices.Pick(rng), TrainingSnr, Tail), 1));
        }
        for (var i = 0; i < negatives; i++)
        {
            var rng = ClipDraw.Generator(seed, 2, i);
            var voice = TrainingVoices.Pick(rng);
            var kind = rng.NextDouble();
            ClipSpec spec = kind switch
            {
                < 0.30 => ClipDraw.Spec(rng, [grammar.Phrases[rng.Next(grammar.Phrases.Count)].Text], voice, TrainingSnr, Tail),
                < 0.60 => ClipDraw.Spec(rng, [NegativeSpeech.Confusables[rng.Next(NegativeSpeech.Confusables.Length)]], voice, TrainingSnr, Tail),
                < 0.80 => ClipDraw.Spec(rng, [NegativeSpeech.Chatter[rng.Next(NegativeSpeech.Chatter.Length)]], voice, TrainingSnr, Tail),
                < 0.92 => ClipDraw.Spec(rng, [NegativeSpeech.Chatter[rng.Next(NegativeSpeech.Chatter.Length)]], voice, TrainingSnr, Tail, radio: true),
                _ => ClipDraw.Spec(rng, [], voice, TrainingSnr, (1.5, 3.0)),
            };
            plans.Add(new ClipPlan(spec, 0));
        }
        string[] sentences = [.. NegativeSpeech.Chatter, .. NegativeSpeech.Conversation];
        for (var i = 0; i < hardNegatives; i++)
        {
            var rng = ClipDraw.Generator(seed, 3, i);
            var voice = TrainingVoices.Pick(rng);
            var texts = Enumerable.Range(0, 2 + rng.Next(2)).Select(_ => sentences[rng.Next(sentences.Length)]).ToList();
            plans.Add(new ClipPlan(ClipDraw.Spec(rng, texts, voice, TrainingSnr, Tail, radio: rng.NextDouble() < 0.15), 0));
        }
        for (var i = 0; i < interferedPositives; i++)
        {
            var rng = ClipDraw.Generator(seed, 4, i);
            var spec = ClipDraw.Spec(rng, [grammar.Wake], TrainingVoices.Pick(rng), TrainingSnr, Tail);
            var radio = rng.NextDouble() < 0.4;
            var over = new Interference(sentences[rng.Next(sentences.Length)], TrainingVoices.Pick(rng),
                StartSeconds: ClipDraw.Uniform(rng, 0, spec.LeadSeconds + 0.5), RelativeDb: ClipDraw.Uniform(rng, -15, -3), Radio: radio);
            plans.Add(new ClipPlan(spec with { Interference = over }, 1));
        }
        if (speedPerturb) plans.AddRange(SpeedPerturbation.Copies(plans));
        foreach (var p in plans)
        {
            TrainingVoices.EnsureTrainingVoice(p.Spec.Voice);
            if (p.Spec.Interference is { } over) TrainingVoices.EnsureTrainingVoice(over.Voice);
        }
        return plans;
    }

    /// <summary>
    /// Held-out positives: the wake phrase spoken by the acceptance voices at rate and pitch 0.9–1.1
    /// (as the HIL rig varies them), through the simulated cabins at SNRs drawn from <paramref name="snr"/>.
    /// </summary>
    public static List<ClipSpec> HeldOutPositives(CommandGrammar grammar, int count, (double, double) snr, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => ClipDraw.Spec(rng, [grammar.Wake], ScenarioGenerator.AcceptanceVoices[i % ScenarioGenerator.AcceptanceVoices.Length], snr, (1.0, 1.0), rateSpread: 0.6, pitchSpread: 0.6))
            .ToList();
    }

    /// <summary>
    /// Held-out non-wake audio for false accepts: streams of four commands, of four of the HIL rig's
    /// chatter sentences, the same as radio talk from a door, and 10 s of noise alone; acceptance voices.
    /// </summary>
    public static List<ClipSpec> HeldOutNegatives(CommandGrammar grammar, int count, (double, double) snr, int seed)
    {
        var rng = new Random(seed);
        var list = new List<ClipSpec>();
        for (var i = 0; i < count; i++)
        {
            var voice = ScenarioGenerator.AcceptanceVoices[i % ScenarioGenerator.AcceptanceVoices.Length];
            var kind = i % 4;
            if (kind == 3)
            {
                list.Add(ClipDraw.Spec(rng, [], voice, snr, (10.0, 10.0)));
                continue;
            }
            var texts = new List<string>();
            for (var k = 0; k < 4; k++)
                texts.Add(kind == 0 ? grammar.Phrases[rng.Next(grammar.Phrases.Count)].Text : ScenarioGenerator.Chatter[rng.Next(ScenarioGenerator.Chatter.Length)]);
            list.Add(ClipDraw.Spec(rng, texts, voice, snr, (1.0, 1.0), radio: kind == 2, rateSpread: 0.6, pitchSpread: 0.6));
        }
        return list;
    }
}
