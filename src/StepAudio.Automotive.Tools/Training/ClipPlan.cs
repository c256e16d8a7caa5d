namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// A clip and how its windows are labelled: a target clip gives <see cref="Label"/> to the windows
/// ending just after its last part (and 0 to windows ending 240 ms or more before its end, so the
/// head learns not to fire on a truncated prefix);
/// a background clip (<see cref="Label"/> 0) gives 0 to every window.
/// </summary>
public sealed record ClipPlan(ClipSpec Spec, int Label)
{
    /// <summary>Index of the clip whose split (training or validation) this one shares; null for its own index. A perturbed copy shares its original's, so validation never hears a copy of a training clip.</summary>
    public int? SplitOf { get; init; }

    /// <summary>Windows ending 0–3 steps (0–320 ms) after the target's end are positives: the head fires just after the phrase.</summary>
    public const int PositiveSteps = 4;

    /// <summary>Windows ending this many steps (240 ms) or more before the target's end are negatives: do not fire on a prefix.</summary>
    public const int NoneBeforeEndSteps = 3;

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
        for (var s = EmbeddingExtractor.FirstStep; s <= f.TargetEndStep - NoneBeforeEndSteps; s += BackgroundStride) yield return new(clip, s, 0);
        for (var s = f.TargetEndStep; s < f.TargetEndStep + PositiveSteps && s <= last; s++) yield return new(clip, s, Label);
    }
}
