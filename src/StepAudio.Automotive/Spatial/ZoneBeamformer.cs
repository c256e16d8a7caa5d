using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// One beam per seat zone in the STFT domain. Steering vectors are near field: the exact delay
/// from the zone's mouth position to each microphone, relative to the microphone nearest the
/// mouth, so each beam's output is aligned with that microphone's signal.
/// </summary>
public abstract class ZoneBeamformer
{
    protected ZoneBeamformer(ArrayGeometry geometry, Stft stft, int sampleRate)
    {
        var zones = geometry.Profile.Zones;
        Zones = zones.Count;
        Mics = geometry.Count;
        Bins = stft.Bins;
        SteerRe = new float[Zones * Mics * Bins];
        SteerIm = new float[SteerRe.Length];
        ReferenceMic = new int[Zones];
        for (var z = 0; z < Zones; z++)
        {
            var p = zones[z].Position;
            var reference = 0;
            for (var m = 1; m < Mics; m++)
                if (geometry.ArrivalSeconds(p, m) < geometry.ArrivalSeconds(p, reference)) reference = m;
            ReferenceMic[z] = reference;
            for (var m = 0; m < Mics; m++)
            {
                var delay = geometry.ArrivalSeconds(p, m) - geometry.ArrivalSeconds(p, reference);
                for (var k = 0; k < Bins; k++)
                {
                    var w = 2 * Math.PI * k * sampleRate / stft.FrameLength;
                    SteerRe[Index(z, m, k)] = (float)Math.Cos(w * delay);
                    SteerIm[Index(z, m, k)] = (float)-Math.Sin(w * delay);
                }
            }
        }
        Usable = new bool[Mics];
        Array.Fill(Usable, true);
        UsableCount = Mics;
    }

    public int Zones { get; }

    public int Mics { get; }

    public int Bins { get; }

    /// <summary>Per zone, the microphone the beam output is time-aligned with.</summary>
    public int[] ReferenceMic { get; }

    /// <summary>Steering vector a_z,m(k) = e^{−jωΔt}: the zone's signal at mic m relative to the reference.</summary>
    protected float[] SteerRe { get; }

    protected float[] SteerIm { get; }

    protected bool[] Usable { get; }

    protected int UsableCount { get; private set; }

    protected int Index(int zone, int mic, int bin) => (((zone * Mics) + mic) * Bins) + bin;

    /// <summary>The beam output g · Σ conj(w) · x over the usable microphones, with per-zone weights laid out as <see cref="Index"/>.</summary>
    protected void ApplyWeights(int zone, float[] wRe, float[] wIm, float g, float[][] re, float[][] im, Span<float> outRe, Span<float> outIm)
    {
        outRe[..Bins].Clear();
        outIm[..Bins].Clear();
        for (var m = 0; m < Mics; m++)
        {
            if (!Usable[m]) continue;
            var xr = re[m];
            var xi = im[m];
            var s = Index(zone, m, 0);
            for (var k = 0; k < Bins; k++)
            {
                var wr = wRe[s + k];
                var wi = wIm[s + k];
                outRe[k] += g * ((wr * xr[k]) + (wi * xi[k]));
                outIm[k] += g * ((wr * xi[k]) - (wi * xr[k]));
            }
        }
    }

    /// <summary>Leaves dead or clipping microphones out of every beam from the next frame on.</summary>
    public virtual void SetUsableMics(ReadOnlySpan<bool> usable)
    {
        usable.CopyTo(Usable);
        UsableCount = 0;
        foreach (var u in Usable) if (u) UsableCount++;
    }

    /// <summary>Learns from one frame of microphone spectra; <paramref name="zoneActive"/> says who is talking now.</summary>
    public abstract void Update(float[][] re, float[][] im, ReadOnlySpan<bool> zoneActive);

    /// <summary>Writes one zone's beam spectrum (bins 0..N/2) for the frame.</summary>
    public abstract void Beam(int zone, float[][] re, float[][] im, Span<float> outRe, Span<float> outIm);
}
