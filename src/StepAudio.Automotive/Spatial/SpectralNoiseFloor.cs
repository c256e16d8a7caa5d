namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Per-bin noise floor of the summed microphone power: follows drops within a few frames and rises
/// slowly (about 1 dB/s), so speech bursts stand above it while road and fan noise set it.
/// </summary>
public sealed class SpectralNoiseFloor
{
    private const float Fall = 0.95f;
    private const float NoiseRatio = 3f;
    private const float Rise = 1.005f;

    /// <summary>Frames before the analysis window is full of signal: the first real floor comes after them.</summary>
    private const int WarmUpFrames = 4;
    private readonly float[] _floor;
    private readonly float[] _power;
    private int _frames;

    public SpectralNoiseFloor(int bins)
    {
        _floor = new float[bins];
        _power = new float[bins];
    }

    public ReadOnlySpan<float> Floor => _floor;

    /// <summary>Summed power of the last frame, per bin.</summary>
    public ReadOnlySpan<float> Power => _power;

    /// <summary>Takes one frame's spectra (usable microphones only) and updates the floor.</summary>
    public void Update(float[][] re, float[][] im, ReadOnlySpan<bool> usable)
    {
        Array.Clear(_power);
        for (var m = 0; m < re.Length; m++)
        {
            if (!usable[m]) continue;
            var r = re[m];
            var i = im[m];
            for (var k = 0; k < _power.Length; k++) _power[k] += (r[k] * r[k]) + (i[k] * i[k]);
        }
        if (++_frames <= WarmUpFrames)
        {
            _power.CopyTo(_floor, 0);
            return;
        }
        for (var k = 0; k < _floor.Length; k++)
        {
            var p = _power[k];
            // Frames near the floor are noise: average them in (the floor is the noise's mean power);
            // louder frames may be speech and only nudge it up.
            _floor[k] = p < NoiseRatio * _floor[k] ? (Fall * _floor[k]) + ((1 - Fall) * p) : Math.Max(_floor[k] * Rise, 1e-12f);
        }
    }

    /// <summary>Power over floor of one bin, as a ratio.</summary>
    public float Snr(int bin) => _power[bin] / Math.Max(_floor[bin], 1e-20f);
}
