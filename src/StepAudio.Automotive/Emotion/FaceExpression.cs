namespace StepAudio.Automotive.Emotion;

/// <summary>
/// One face's expression as the vision stage reports it: the seven basic expression probabilities
/// (summing to about 1) and how far to trust them right now (face found, frontal, well exposed).
/// </summary>
public readonly record struct FaceExpression(
    double Neutral,
    double Happiness,
    double Sadness,
    double Surprise,
    double Fear,
    double Disgust,
    double Anger,
    double Reliability)
{
    public const int Count = 7;

    public static readonly string[] Names = ["neutral", "happiness", "sadness", "surprise", "fear", "disgust", "anger"];

    // Russell's circumplex, approximately: where each basic expression sits in arousal (0 … 1) and valence (-1 … 1).
    private static readonly double[] ArousalOf = [0.5, 0.65, 0.3, 0.85, 0.85, 0.6, 0.9];
    private static readonly double[] ValenceOf = [0, 0.8, -0.6, 0.2, -0.6, -0.6, -0.7];

    public double this[int i] => i switch
    {
        0 => Neutral,
        1 => Happiness,
        2 => Sadness,
        3 => Surprise,
        4 => Fear,
        5 => Disgust,
        6 => Anger,
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };

    public double Arousal => Expect(ArousalOf);

    public double Valence => Expect(ValenceOf);

    /// <summary>Anger-likeness: anger, and half of disgust (which expression classifiers confuse with it).</summary>
    public double Agitation => Math.Clamp(Anger + 0.5 * Disgust, 0, 1);

    /// <summary>The most probable expression's index.</summary>
    public int Top
    {
        get
        {
            var best = 0;
            for (var i = 1; i < Count; i++)
                if (this[i] > this[best]) best = i;
            return best;
        }
    }

    /// <summary>The problem with these values (name of the bad field), or null when usable.</summary>
    public string? Problem()
    {
        double sum = 0;
        for (var i = 0; i < Count; i++)
        {
            if (!(this[i] >= 0 && this[i] <= 1)) return $"{Names[i]} probability {this[i]} is not in [0, 1]";
            sum += this[i];
        }
        if (!(Reliability >= 0 && Reliability <= 1)) return $"reliability {Reliability} is not in [0, 1]";
        return Math.Abs(sum - 1) > 0.05 ? $"expression probabilities sum to {sum:F3}, not 1" : null;
    }

    private double Expect(double[] at)
    {
        double sum = 0, total = 0;
        for (var i = 0; i < Count; i++)
        {
            sum += this[i] * at[i];
            total += this[i];
        }
        return total > 0 ? sum / total : at[0];
    }
}
