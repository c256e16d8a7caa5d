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

    public override void Beam(int zone, float[][] re, float[][] im, Span<float> outRe, Span<float> outIm)
    {
        outRe[..Bins].Clear();
        outIm[..Bins].Clear();
        if (UsableCount == 0) return;
        var g = 1f / UsableCount;
        for (var m = 0; m < Mics; m++)
        {
            if (!Usable[m]) continue;
            var xr = re[m];
            var xi = im[m];
            var s = Index(zone, m, 0);
            for (var k = 0; k < Bins; k++)
            {
                // conj(a) · x
                var ar = SteerRe[s + k];
                var ai = SteerIm[s + k];
                outRe[k] += g * ((ar * xr[k]) + (ai * xi[k]));
                outIm[k] += g * ((ar * xi[k]) - (ai * xr[k]));
            }
        }
    }
}
