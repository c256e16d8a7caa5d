using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Turns each frame into evidence per seat zone and per loudspeaker with a near-field model: the
/// SRP-PHAT is steered to the exact 3-D mouth (and speaker) positions of the profile, using only the
/// time-frequency bins that stand above the noise floor, so steady road and fan noise (which in a
/// small cabin is far from diffuse and has directions of its own) does not steer it. A zone's
/// evidence is its steered power when the frame carries sound and the zone is among the strongest
/// candidates; two talkers raise two zones. A loudspeaker wins only when it beats every seat.
/// </summary>
public sealed class ZoneMap
{
    private readonly int _firstBin;
    private readonly int _binCount;
    private readonly float[] _mask;
    private readonly float[] _evidence;
    private readonly float[] _steeredPower;
    private readonly float[][] _candidateLags;

    public ZoneMap(ArrayGeometry geometry, SrpPhatLocalizer localizer, int frameLength, int sampleRate, double lowHz = 300, double highHz = 3500)
    {
        var profile = geometry.Profile;
        Candidates = [.. profile.Zones.Select(z => z.Position), .. profile.Loudspeakers.Select(s => s.Position)];
        ZoneCount = profile.Zones.Count;
        Localizer = localizer;
        _firstBin = Math.Max(1, (int)Math.Ceiling(lowHz * frameLength / sampleRate));
        _binCount = Math.Min(frameLength / 2 - 1, (int)Math.Floor(highHz * frameLength / sampleRate)) - _firstBin + 1;
        _candidateLags = [.. Candidates.Select(localizer.PointLagPositions)];
        _evidence = new float[Candidates.Length];
        _steeredPower = new float[Candidates.Length];
        _mask = new float[(frameLength / 2) + 1];
        NoiseFloor = new SpectralNoiseFloor((frameLength / 2) + 1);
    }

    /// <summary>Zones first (profile order), then loudspeakers.</summary>
    public Point3[] Candidates { get; }

    public int ZoneCount { get; }

    public SrpPhatLocalizer Localizer { get; }

    public SpectralNoiseFloor NoiseFloor { get; }

    /// <summary>A bin must stand this far above its noise floor to count (power ratio, 6 dB).</summary>
    public float MinBinSnr { get; init; } = 4f;

    /// <summary>Share of band bins above the floor for a frame to carry evidence at all.</summary>
    public float MinActiveShare { get; init; } = 0.05f;

    /// <summary>A zone keeps evidence only within this fraction of the strongest candidate's steered power.</summary>
    public float RelativePower { get; init; } = 0.95f;

    /// <summary>A loudspeaker must beat every seat's steered power by this much to count as radio.</summary>
    public float LoudspeakerMargin { get; init; } = 0.05f;

    /// <summary>Last frame's evidence per candidate (zones, then loudspeakers), 0 when silent.</summary>
    public ReadOnlySpan<float> Evidence => _evidence;

    /// <summary>Last frame's masked SRP-PHAT at each candidate's 3-D position, mean over usable pairs.</summary>
    public ReadOnlySpan<float> SteeredPower => _steeredPower;

    /// <summary>Weight per bin of the last frame: 1 above the noise floor, 0 below.</summary>
    public ReadOnlySpan<float> Mask => _mask;

    /// <summary>Share of band bins above the noise floor in the last frame: is anything there at all.</summary>
    public float ActiveShare { get; private set; }

    /// <summary>Updates the noise floor and the bin mask from the frame; call before the localizer.</summary>
    public void Observe(float[][] re, float[][] im, ReadOnlySpan<bool> usable)
    {
        NoiseFloor.Update(re, im, usable);
        var active = 0;
        for (var k = 0; k < _mask.Length; k++)
        {
            var on = NoiseFloor.Snr(k) >= MinBinSnr;
            _mask[k] = on ? 1f : 0f;
            if (on && k >= _firstBin && k < _firstBin + _binCount) active++;
        }
        ActiveShare = (float)active / _binCount;
    }

    /// <summary>Scores the frame from the localizer's correlations (it must have processed the same frame with <see cref="Mask"/>).</summary>
    public void Score()
    {
        Array.Clear(_evidence);
        float bestZone = 0, bestSpeaker = 0;
        for (var c = 0; c < Candidates.Length; c++)
        {
            _steeredPower[c] = Localizer.PowerAt(_candidateLags[c]);
            if (c < ZoneCount) bestZone = Math.Max(bestZone, _steeredPower[c]);
            else bestSpeaker = Math.Max(bestSpeaker, _steeredPower[c]);
        }
        if (ActiveShare < MinActiveShare || bestZone <= 0) return;
        if (bestSpeaker > bestZone + LoudspeakerMargin)
        {
            for (var c = ZoneCount; c < Candidates.Length; c++)
                if (_steeredPower[c] >= bestSpeaker) _evidence[c] = _steeredPower[c];
            return;
        }
        for (var z = 0; z < ZoneCount; z++)
            if (_steeredPower[z] >= RelativePower * bestZone) _evidence[z] = _steeredPower[z];
    }
}
