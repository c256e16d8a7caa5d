namespace StepAudio.Automotive.Spatial;

/// <summary>Grid directions around an expected direction, with each one's distance penalty.</summary>
public sealed class SearchRegion(int[] directions, float[] penalties)
{
    public int[] Directions { get; } = directions;

    public float[] Penalties { get; } = penalties;
}
