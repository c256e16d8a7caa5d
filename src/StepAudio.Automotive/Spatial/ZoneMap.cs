using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Turns each frame into evidence per seat zone and per loudspeaker, with a near-field model: the
/// steering phases are the exact propagation delays from each mouth (and speaker) position in the
/// profile to each microphone. Speech is sparse in time and frequency, so each time-frequency bin
/// that stands above the noise floor is given to the candidate whose steering vector matches its
/// phase pattern best; a zone's evidence is the share of the band's bins it won. Two talkers win
/// separate bins, so both show up; a loudspeaker winning bins marks radio, not a seat.
/// </summary>
public sealed class ZoneMap
{
    private readonly int _firstBin;
    private readonly int _binCount;
    private readonly int _mics;
    private readonly float[] _cos; // [(candidate * mics + mic) * bins + k]
    private readonly float[] _sin;
    private readonly float[] _evidence;
    private readonly float[] _steeredPower;
    private readonly float[][] _candidateLags;
    private readonly float[] _xr;
    private readonly float[] _xi;

    public ZoneMap(ArrayGeometry geometry, SrpPhatLocalizer localizer, int frameLength, int sampleRate, double lowHz = 300, double highHz = 3500)
    {
        var profile = geometry.Profile;
        Candidates = [.. profile.Zones.Select(z => z.Position), .. profile.Loudspeakers.Select(s => s.Position)];
        ZoneCount = profile.Zones.Count;
        Localizer = localizer;
        _mics = geometry.Count;
        _firstBin = Math.Max(1, (int)Math.Ceiling(lowHz * frameLength / sampleRate));
        _binCount = Math.Min(frameLength / 2 - 1, (int)Math.Floor(highHz * frameLength / sampleRate)) - _firstBin + 1;
        _cos = new float[Candidates.Length * _mics * _binCount];
        _sin = new float[_cos.Length];
        for (var c = 0; c < Candidates.Length; c++)
        {
            for (var m = 0; m < _mics; m++)
            {
                var t = geometry.ArrivalSeconds(Candidates[c], m);
                for (var k = 0; k < _binCount; k++)
                {
                    var w = 2 * Math.PI * (_firstBin + k) * sampleRate / frameLength;
                    _cos[(((c * _mics) + m) * _binCount) + k] = (float)Math.Cos(w * t);
                    _sin[(((c * _mics) + m) * _binCount) + k] = (float)Math.Sin(w * t);
                }
            }
        }
        _candidateLags = [.. Candidates.Select(localizer.PointLagPositions)];
        _evidence = new float[Candidates.Length];
        _steeredPower = new float[Candidates.Length];
        _xr = new float[_mics];
        _xi = new float[_mics];
        NoiseFloor = new SpectralNoiseFloor((frameLength / 2) + 1);
    }

    /// <summary>Zones first (profile order), then loudspeakers.</summary>
    public Point3[] Candidates { get; }

    public int ZoneCount { get; }

    public SrpPhatLocalizer Localizer { get; }

    public SpectralNoiseFloor NoiseFloor { get; }

    /// <summary>A bin must stand this far above its noise floor to count (power ratio, 6 dB).</summary>
    public float MinBinSnr { get; init; } = 4f;

    /// <summary>A bin counts for a candidate only when its phases match that well (1 = perfectly, 1/M = chance).</summary>
    public float MinCoherence { get; init; } = 0.6f;

    /// <summary>
    /// The winner must beat the runner-up by this much: at low frequencies on a small array every
    /// candidate matches almost equally, and bins mixing two talkers match none well.
    /// </summary>
    public float MinMargin { get; init; } = 0.1f;

    /// <summary>Last frame's share of band bins won by each candidate (zones, then loudspeakers).</summary>
    public ReadOnlySpan<float> Evidence => _evidence;

    /// <summary>Last frame's SRP-PHAT at each candidate's 3-D position, mean over usable pairs.</summary>
    public ReadOnlySpan<float> SteeredPower => _steeredPower;

    /// <summary>Share of band bins above the noise floor in the last frame: is anything there at all.</summary>
    public float ActiveShare { get; private set; }

    /// <summary>Scores the frame. The localizer must have processed the same frame.</summary>
    public void Process(float[][] re, float[][] im, ReadOnlySpan<bool> usable)
    {
        NoiseFloor.Update(re, im, usable);
        Array.Clear(_evidence);
        var usableCount = 0;
        for (var m = 0; m < _mics; m++) if (usable[m]) usableCount++;
        var active = 0;
        if (usableCount >= 2)
        {
            var norm = 1f / (usableCount * usableCount);
            for (var k = 0; k < _binCount; k++)
            {
                var bin = _firstBin + k;
                if (NoiseFloor.Snr(bin) < MinBinSnr) continue;
                active++;
                for (var m = 0; m < _mics; m++)
                {
                    var mag = MathF.Sqrt((re[m][bin] * re[m][bin]) + (im[m][bin] * im[m][bin]));
                    var g = usable[m] && mag > 1e-20f ? 1f / mag : 0f;
                    _xr[m] = re[m][bin] * g;
                    _xi[m] = im[m][bin] * g;
                }
                var best = -1;
                var bestScore = 0f;
                var second = 0f;
                for (var c = 0; c < Candidates.Length; c++)
                {
                    float sr = 0, si = 0;
                    var baseIndex = c * _mics * _binCount;
                    for (var m = 0; m < _mics; m++)
                    {
                        var i = baseIndex + (m * _binCount) + k;
                        // x · e^{+jωt}: undoes the candidate's propagation delay at this microphone.
                        sr += (_xr[m] * _cos[i]) - (_xi[m] * _sin[i]);
                        si += (_xr[m] * _sin[i]) + (_xi[m] * _cos[i]);
                    }
                    var score = ((sr * sr) + (si * si)) * norm;
                    if (score > bestScore)
                    {
                        second = bestScore;
                        bestScore = score;
                        best = c;
                    }
                    else if (score > second)
                    {
                        second = score;
                    }
                }
                if (bestScore >= MinCoherence && bestScore - second >= MinMargin) _evidence[best] += 1f;
            }
            for (var c = 0; c < _evidence.Length; c++) _evidence[c] /= _binCount;
        }
        ActiveShare = (float)active / _binCount;
        for (var c = 0; c < Candidates.Length; c++) _steeredPower[c] = Localizer.PowerAt(_candidateLags[c]);
    }
}
