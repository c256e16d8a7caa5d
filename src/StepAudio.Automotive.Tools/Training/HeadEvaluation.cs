using System.Numerics.Tensors;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>Wake-word figures on held-out clips.</summary>
public sealed record WakeScores(int Positives, int Detected, int FalseAccepts, double NegativeHours)
{
    public double Recall => Positives == 0 ? 0 : (double)Detected / Positives;

    public double FalseAcceptsPerHour => NegativeHours == 0 ? 0 : FalseAccepts / NegativeHours;
}

/// <summary>Command-head figures on held-out clips: top-1 accuracy, misses, latency after the command's end.</summary>
public sealed record CommandScores(int Clips, int Correct, int Missed, IReadOnlyList<double> LatenciesMs, int FalseIntents, double NegativeHours)
{
    /// <summary>Truth and decided class of every clip (0 = none), for the confusion summary.</summary>
    public IReadOnlyList<(int Truth, int Decided)> Decisions { get; init; } = [];

    public double Accuracy => Clips == 0 ? 0 : (double)Correct / Clips;

    public double LatencyP50Ms => Percentile(0.5);

    public double LatencyP95Ms => Percentile(0.95);

    public double FalseIntentsPerHour => NegativeHours == 0 ? 0 : FalseIntents / NegativeHours;

    private double Percentile(double q)
    {
        if (LatenciesMs.Count == 0) return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}

/// <summary>
/// Scores heads the way the runtime uses them. Wake: a positive counts when the score reaches the
/// threshold between the phrase's start and 0.64 s after its end; on non-wake audio every rise to
/// the threshold counts as a false accept (then 2 s refractory, as the detector). Commands: the first
/// step from the command's start to 0.64 s after its end where one command class has stayed at or
/// above the threshold for the patience decides; its class must be the truth; latency is that
/// step's end minus the command's end.
/// </summary>
public static class HeadEvaluation
{
    public const float Threshold = 0.5f;
    private const int LateSteps = 8;
    private const int RefractorySteps = 25;

    public static WakeScores Wake(HeadRunner head, IReadOnlyList<ClipFeatures> positives, IReadOnlyList<ClipFeatures> negatives)
    {
        var detected = 0;
        foreach (var clip in positives)
        {
            var scores = head.Run(clip);
            var from = Math.Max(0, clip.TargetStartStep - EmbeddingExtractor.FirstStep);
            var to = Math.Min(scores.Length - 1, clip.TargetEndStep + LateSteps - EmbeddingExtractor.FirstStep);
            for (var s = from; s <= to; s++)
                if (scores[s] >= Threshold)
                {
                    detected++;
                    break;
                }
        }
        var (falseAccepts, hours) = Rises(negatives, clip => head.Run(clip), 1);
        return new WakeScores(positives.Count, detected, falseAccepts, hours);
    }

    /// <param name="patience">Steps in a row the same command class must stay at or above the threshold (1 = the first step decides).</param>
    public static CommandScores Commands(HeadRunner head, IReadOnlyList<ClipFeatures> clips, IReadOnlyList<int> labels, IReadOnlyList<ClipFeatures> negatives, int patience = 1)
    {
        int correct = 0, missed = 0;
        var latencies = new List<double>();
        var c = head.Outputs;
        for (var i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            var p = head.Run(clip);
            var from = Math.Max(0, clip.TargetStartStep - EmbeddingExtractor.FirstStep);
            var to = Math.Min((p.Length / c) - 1, clip.TargetEndStep + LateSteps - EmbeddingExtractor.FirstStep);
            int decided = -1, streakClass = -1, streak = 0;
            for (var s = from; s <= to && decided < 0; s++)
            {
                var row = p.AsSpan((s * c) + 1, c - 1);
                if (TensorPrimitives.Max(row) < Threshold)
                {
                    streak = 0;
                    continue;
                }
                var top = 1 + TensorPrimitives.IndexOfMax(row);
                streak = top == streakClass ? streak + 1 : 1;
                streakClass = top;
                if (streak < patience) continue;
                decided = top;
                var stepEnd = (EmbeddingExtractor.FirstStep + s + 1) * Speech.MelSpectrogram.StepSamples;
                latencies.Add((stepEnd - clip.TargetEnd) * 1000.0 / Speech.SpeechSteps.SampleRate);
            }
            if (decided < 0) missed++;
            else if (decided == labels[i]) correct++;
        }
        var (falseIntents, hours) = Rises(negatives, clip =>
        {
            var p = head.Run(clip);
            var best = new float[p.Length / c];
            for (var s = 0; s < best.Length; s++) best[s] = TensorPrimitives.Max(p.AsSpan((s * c) + 1, c - 1));
            return best;
        }, 1);
        return new CommandScores(clips.Count, correct, missed, latencies, falseIntents, hours);
    }

    /// <summary>
    /// The end-pointed rule (<see cref="CommandEndRule"/>): when the utterance has ended (the runtime
    /// knows it from the voice detector; here from the truth), average the head's probabilities over the
    /// step holding the end and the next <paramref name="afterSteps"/>, and take the best command class
    /// when it reaches <paramref name="floor"/> (none = missed); a null floor takes the most likely class
    /// including none. Latency is the end of the last of those steps minus the command's end. False
    /// intents (worst case): the rule applied at every step of the non-command streams as if an
    /// utterance had just ended there, counted as rises with the refractory period. With
    /// <paramref name="rule"/> the runtime's rule decides instead of <paramref name="floor"/> (its floors
    /// per class; the command's length is the truth's, and the worst case ignores the length gate).
    /// </summary>
    public static CommandScores CommandsAtEnd(HeadRunner head, IReadOnlyList<ClipFeatures> clips, IReadOnlyList<int> labels, IReadOnlyList<ClipFeatures> negatives, float? floor, int afterSteps = 2, CommandEndRule? rule = null)
    {
        int correct = 0, missed = 0;
        var latencies = new List<double>();
        var decisions = new List<(int Truth, int Decided)>();
        var c = head.Outputs;
        var mean = new float[c];
        for (var i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            var p = head.Run(clip);
            var last = Math.Min((p.Length / c) - 1, clip.TargetEndStep + afterSteps - EmbeddingExtractor.FirstStep);
            var first = Math.Max(0, clip.TargetEndStep - EmbeddingExtractor.FirstStep);
            Mean(p, c, first, last, mean);
            var seconds = (double)(clip.TargetEnd - clip.TargetStart) / Speech.SpeechSteps.SampleRate;
            var decided = rule is not null ? rule.Decide(mean, seconds) : floor is { } f ? CommandEndRule.Decide(mean, f) : TensorPrimitives.IndexOfMax(mean);
            decisions.Add((labels[i], decided));
            latencies.Add((((EmbeddingExtractor.FirstStep + last + 1) * Speech.MelSpectrogram.StepSamples) - clip.TargetEnd) * 1000.0 / Speech.SpeechSteps.SampleRate);
            if (decided == 0) missed++;
            else if (decided == labels[i]) correct++;
        }
        var (falseIntents, hours) = Rises(negatives, clip =>
        {
            var p = head.Run(clip);
            var fired = new float[p.Length / c];
            for (var s = 0; s < fired.Length; s++)
            {
                Mean(p, c, Math.Max(0, s - afterSteps), s, mean);
                fired[s] = (rule is not null ? rule.Decide(mean, double.MaxValue) : floor is { } f ? CommandEndRule.Decide(mean, f) : TensorPrimitives.IndexOfMax(mean)) > 0 ? 1 : 0;
            }
            return fired;
        }, 1);
        return new CommandScores(clips.Count, correct, missed, latencies, falseIntents, hours) { Decisions = decisions };
    }

    /// <summary>The mean of a head's per-step probabilities <paramref name="p"/> (<paramref name="c"/> per step) over steps <paramref name="first"/>…<paramref name="last"/>.</summary>
    internal static void Mean(float[] p, int c, int first, int last, float[] mean)
    {
        Array.Clear(mean);
        for (var s = first; s <= last; s++) TensorPrimitives.Add(mean, p.AsSpan(s * c, c), mean);
        TensorPrimitives.Multiply(mean, 1f / (last - first + 1), mean);
    }

    /// <summary>Counts rises to the threshold (with the refractory period) and the hours of audio scored.</summary>
    private static (int Count, double Hours) Rises(IReadOnlyList<ClipFeatures> clips, Func<ClipFeatures, float[]> score, int outputs)
    {
        var count = 0;
        double seconds = 0;
        foreach (var clip in clips)
        {
            var s = score(clip);
            var quietUntil = -1;
            var above = false;
            for (var t = 0; t < s.Length / outputs; t++)
            {
                var on = s[t * outputs] >= Threshold;
                if (on && !above && t >= quietUntil)
                {
                    count++;
                    quietUntil = t + RefractorySteps;
                }
                above = on;
            }
            seconds += (s.Length / outputs) * Speech.SpeechSteps.Seconds;
        }
        return (count, seconds / 3600);
    }
}
