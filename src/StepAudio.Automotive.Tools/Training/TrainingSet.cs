namespace StepAudio.Automotive.Tools.Training;

/// <summary>One example: the window of a clip ending at a step, and its class (0 = none / not the keyword).</summary>
public readonly record struct LabelledWindow(int Clip, int EndStep, int Label);

/// <summary>Embedded clips and the labelled windows cut from them.</summary>
public sealed class TrainingSet(IReadOnlyList<ClipFeatures> clips, IReadOnlyList<LabelledWindow> windows, int classes)
{
    public IReadOnlyList<ClipFeatures> Clips { get; } = clips;

    public IReadOnlyList<LabelledWindow> Windows { get; } = windows;

    /// <summary>Number of labels (2 for a keyword: not / is).</summary>
    public int Classes { get; } = classes;

    public int[] CountPerClass()
    {
        var counts = new int[Classes];
        foreach (var w in Windows) counts[w.Label]++;
        return counts;
    }

    /// <summary>The raw (unstandardised) input of window <paramref name="index"/>.</summary>
    public void Input(int index, int length, Span<float> x)
    {
        var w = Windows[index];
        Clips[w.Clip].Window(w.EndStep, length, x);
    }
}
