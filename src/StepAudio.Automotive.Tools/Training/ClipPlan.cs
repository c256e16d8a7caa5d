namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// A clip and how its windows are labelled: a target clip gives <see cref="Label"/> to the windows
/// ending just after its last part (and 0 to windows that have heard at most the first half of it);
/// a background clip (<see cref="Label"/> 0) gives 0 to every window.
/// </summary>
public sealed record ClipPlan(ClipSpec Spec, int Label)
{
    /// <summary>Windows ending 0–3 steps (0–320 ms) after the target's end are positives: the head fires just after the phrase.</summary>
    public const int PositiveSteps = 4;

    /// <summary>Windows that have heard at most this share of the target are negatives (do not fire early).</summary>
    public const double PrefixShare = 0.5;

    /// <summary>Background windows are taken every this many steps.</summary>
    public const int BackgroundStride = 2;

    public IEnumerable<LabelledWindow> Windows(int clip, ClipFeatures f)
    {
        var last = f.Steps - 1;
        if (Label == 0 || !f.HasTarget)
        {
            for (var s = EmbeddingExtractor.FirstStep; s <= last; s += BackgroundStride) yield return new(clip, s, 0);
            yield break;
        }
        var prefixEnd = f.TargetStartStep + (int)(PrefixShare * (f.TargetEndStep - f.TargetStartStep));
        for (var s = EmbeddingExtractor.FirstStep; s <= prefixEnd; s += BackgroundStride) yield return new(clip, s, 0);
        for (var s = f.TargetEndStep; s < f.TargetEndStep + PositiveSteps && s <= last; s++) yield return new(clip, s, Label);
    }
}
