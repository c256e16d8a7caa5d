namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Delay-and-sum: aligns every usable microphone on the zone's mouth and averages. No adaptation;
/// it gains against diffuse noise, little against a talker in a neighbouring seat on a small array.
/// </summary>
public sealed class DelayAndSumBeamformer : ZoneBeamformer
{
    public DelayAndSumBeamformer(ArrayGeometry geometry, Stft stft, int sampleRate)
        : base(geometry, stft, sampleRate)
    {
    }

    public override void Update(float[][] re, float[][] im, ReadOnlySpan<bool> zoneActive)
    {
    }

    // With no usable microphone nothing is summed: the beam is silent.
    public override void Beam(int zone, float[][] re, float[][] im, Span<float> outRe, Span<float> outIm) =>
        ApplyWeights(zone, SteerRe, SteerIm, UsableCount > 0 ? 1f / UsableCount : 0f, re, im, outRe, outIm);
}
