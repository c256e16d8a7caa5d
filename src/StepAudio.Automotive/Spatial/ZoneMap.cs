using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Turns each frame into evidence per seat zone and per loudspeaker with a near-field model: the
/// SRP-PHAT is steered to the exact 3-D mouth (and speaker) positions of the profile, using only the
/// time-frequency bins that stand above the noise floor, so steady road and fan noise (which in a
/// small cabin is far from diffuse and has directions of its own) does not steer it; optionally only
/// bins whose power is rising (onsets, <see cref="OnsetRatio"/>): a cabin's talkers are all beyond its
/// critical distance (~0.3 m at RT60 0.15 s), so in steady or decaying bins the reverberation
/// outweighs the direct path, while at an onset the direct sound arrives before its reflections. A zone's
/// evidence is its steered power when the frame carries sound and the zone is among the strongest
/// candidates; two talkers raise two zones. A loudspeaker wins only when it beats every seat. A weaker
/// second talker rarely wins a whole frame, so the bins the strongest candidate explains are removed
/// and the rest searched for a second source (<see cref="ResidualCoherence"/>).
/// </summary>
public sealed class ZoneMap
{
    private readonly int _firstBin;
    private readonly int _binCount;
    private readonly float[] _mask;
    private readonly float[] _previousPower;
    private readonly float[] _evidence;
    private readonly float[] _steeredPower;
    private readonly float[][] _candidateLags;
    private readonly (int P, int Q)[] _pairs;
    private readonly bool[] _pairUsable;
    private readonly float[][] _steerCos;   // [candidate][pair * bins + k]: cos ωτ of the candidate's delay
    private readonly float[][] _steerSin;
    private readonly float[] _xr;           // [pair * bins + k]: phase-transformed cross-spectrum
    private readonly float[] _xi;
    private readonly float[][] _binScore;   // [candidate][k]: how well bin k's phases fit the candidate, mean over pairs
    private readonly float[] _residualPower;
    private readonly bool[] _distinct;
    private readonly float[] _accumulated;
    private int _activeBins;  // band bins in the mask this frame (Observe)

    public ZoneMap(ArrayGeometry geometry, SrpPhatLocalizer localizer, int frameLength, int sampleRate, double lowHz = 300, double highHz = 3500, CabinReflections? reflections = null)
    {
        Reflections = reflections;
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
        _previousPower = new float[(frameLength / 2) + 1];
        NoiseFloor = new SpectralNoiseFloor((frameLength / 2) + 1);

        _pairs = geometry.Pairs;
        _pairUsable = new bool[_pairs.Length];
        _xr = new float[_pairs.Length * _binCount];
        _xi = new float[_pairs.Length * _binCount];
        _steerCos = new float[Candidates.Length][];
        _steerSin = new float[Candidates.Length][];
        _binScore = new float[Candidates.Length][];
        for (var c = 0; c < Candidates.Length; c++)
        {
            _steerCos[c] = new float[_pairs.Length * _binCount];
            _steerSin[c] = new float[_pairs.Length * _binCount];
            _binScore[c] = new float[_binCount];
            var paths = reflections is null ? null : geometry.Mics.Select(m => reflections.Paths(Candidates[c], m)).ToArray();
            for (var p = 0; p < _pairs.Length; p++)
            {
                var tau = geometry.ArrivalSeconds(Candidates[c], _pairs[p].P) - geometry.ArrivalSeconds(Candidates[c], _pairs[p].Q);
                for (var k = 0; k < _binCount; k++)
                {
                    var w = 2 * Math.PI * (_firstBin + k) * sampleRate / frameLength;
                    var (cos, sin) = (Math.Cos(w * tau), Math.Sin(w * tau));
                    if (paths is not null)
                    {
                        // The conjugate phase of the cross-spectrum P·conj(Q) that the direct path and the
                        // walls' images give together (direct path alone: e^{+jωτ}).
                        var (pr, pi) = CabinReflections.Transfer(paths[_pairs[p].P], w);
                        var (qr, qi) = CabinReflections.Transfer(paths[_pairs[p].Q], w);
                        var xr = (pr * qr) + (pi * qi);
                        var xi = (pi * qr) - (pr * qi);
                        var mag = Math.Sqrt((xr * xr) + (xi * xi));
                        if (mag > 0) (cos, sin) = (xr / mag, -xi / mag);
                    }
                    _steerCos[c][(p * _binCount) + k] = (float)cos;
                    _steerSin[c][(p * _binCount) + k] = (float)sin;
                }
            }
        }
        _residualPower = new float[Candidates.Length];
        _distinct = new bool[ZoneCount];
        _accumulated = new float[Candidates.Length];
    }

    /// <summary>Zones first (profile order), then loudspeakers.</summary>
    public Point3[] Candidates { get; }

    public int ZoneCount { get; }

    /// <summary>
    /// When set, seats and loudspeakers are steered to their direct path plus the cabin's early reflections,
    /// and their steered power is the mean over the masked band bins of how well each bin's phases fit that
    /// (the same scale as the SRP-PHAT, which steers to the direct path only).
    /// </summary>
    public CabinReflections? Reflections { get; }

    public SrpPhatLocalizer Localizer { get; }

    public SpectralNoiseFloor NoiseFloor { get; }

    /// <summary>A bin must stand this far above its noise floor to count (power ratio, 6 dB).</summary>
    public float MinBinSnr { get; init; } = 4f;

    /// <summary>
    /// When above 0, a bin must also have risen by this power ratio since the previous frame (2: 3 dB)
    /// to count. Measured on the simulated cabins (RT60 0.15 s), onsets lift the share of frames whose
    /// steered power peaks at the talker's seat from 71 % to 82 % (linear array) and 65 % to 78 %
    /// (circular), but leave a weak second talker fewer frames.
    /// </summary>
    public float OnsetRatio { get; init; }

    /// <summary>Share of band bins in the mask for a frame to carry evidence at all.</summary>
    public float MinActiveShare { get; init; } = 0.05f;

    /// <summary>Share of band bins above the noise floor (rising or not) for a frame to count as sound.</summary>
    public float MinSoundShare { get; init; } = 0.05f;

    /// <summary>A zone keeps evidence only within this fraction of the strongest candidate's steered power.</summary>
    public float RelativePower { get; init; } = 0.95f;

    /// <summary>A loudspeaker must beat every seat's steered power by this much to count as radio.</summary>
    public float LoudspeakerMargin { get; init; } = 0.05f;

    /// <summary>
    /// A bin whose phases fit the frame's strongest candidate at least this well (mean cosine of the phase
    /// error over pairs) belongs to it; the rest are searched for a second source. 0 turns the search off.
    /// </summary>
    public float ResidualCoherence { get; init; }

    /// <summary>Share of the band's bins that must remain after removing the strongest candidate's for a second source.</summary>
    public float MinResidualShare { get; init; } = 0.05f;

    /// <summary>Steered power over the remaining bins a seat needs to count as a second talker.</summary>
    public float MinResidualPower { get; init; } = 0.25f;

    /// <summary>Last frame's steered power per candidate over the bins the strongest candidate does not explain.</summary>
    public ReadOnlySpan<float> ResidualPower => _residualPower;

    /// <summary>The candidate the residual search found in the last frame (zones, then loudspeakers), −1 for none.</summary>
    public int Second { get; private set; } = -1;

    /// <summary>
    /// Per seat, whether the last frame's evidence is the seat's own: it won the frame's steered power or
    /// the second-source search found it. A seat that only came within <see cref="RelativePower"/> of the
    /// winner shares the winner's delays, as the seat in front of or behind a talker does on a small array.
    /// </summary>
    public ReadOnlySpan<bool> Distinct => _distinct;

    /// <summary>
    /// Time constant, in frames with evidence, of the per-seat steered power averaged over time (the
    /// accumulated map; silent frames fade it). When its strongest seat also has evidence in the frame (it
    /// came within <see cref="RelativePower"/> of the winner), that seat, not the frame's winner, is the one
    /// whose evidence is its own (<see cref="Distinct"/>); a seat that clearly wins a frame keeps it. 0: the
    /// frame's winner always.
    /// </summary>
    public float AccumulationFrames { get; init; }

    /// <summary>Steered power per candidate averaged over the last <see cref="AccumulationFrames"/> frames with evidence.</summary>
    public ReadOnlySpan<float> Accumulated => _accumulated;

    /// <summary>Last frame's evidence per candidate (zones, then loudspeakers), 0 when silent.</summary>
    public ReadOnlySpan<float> Evidence => _evidence;

    /// <summary>Last frame's masked SRP-PHAT at each candidate's 3-D position, mean over usable pairs.</summary>
    public ReadOnlySpan<float> SteeredPower => _steeredPower;

    /// <summary>Weight per bin of the last frame: 1 above the noise floor (and rising, with <see cref="OnsetRatio"/>), 0 otherwise.</summary>
    public ReadOnlySpan<float> Mask => _mask;

    /// <summary>Share of band bins in the mask in the last frame: is anything there to localise.</summary>
    public float ActiveShare { get; private set; }

    /// <summary>
    /// The last frame carries sound but no evidence (no onsets: a steady vowel or a decaying tail). The
    /// tracker holds its smoothed evidence through such frames instead of counting them as silence.
    /// </summary>
    public bool Holding { get; private set; }

    /// <summary>Updates the noise floor and the bin mask from the frame; call before the localizer.</summary>
    public void Observe(float[][] re, float[][] im, ReadOnlySpan<bool> usable)
    {
        NoiseFloor.Update(re, im, usable);
        int active = 0, sound = 0;
        var power = NoiseFloor.Power;
        for (var k = 0; k < _mask.Length; k++)
        {
            var above = NoiseFloor.Snr(k) >= MinBinSnr;
            var on = above && power[k] >= OnsetRatio * _previousPower[k];
            _mask[k] = on ? 1f : 0f;
            if (k < _firstBin || k >= _firstBin + _binCount) continue;
            if (on) active++;
            if (above) sound++;
        }
        power.CopyTo(_previousPower);
        _activeBins = active;
        ActiveShare = (float)active / _binCount;
        if (ResidualCoherence > 0 || Reflections is not null) ScoreBins(re, im, usable);
        Holding = ActiveShare < MinActiveShare && (float)sound / _binCount >= MinSoundShare;
    }

    /// <summary>
    /// For each masked band bin and candidate: the mean over usable pairs of cos(phase error) between the
    /// bin's phase-transformed cross-spectra and the candidate's near-field delays (1: the bin's phases are
    /// exactly that point's; about 0: unrelated).
    /// </summary>
    private void ScoreBins(float[][] re, float[][] im, ReadOnlySpan<bool> usable)
    {
        var usablePairs = 0;
        for (var p = 0; p < _pairs.Length; p++)
        {
            var (a, b) = _pairs[p];
            _pairUsable[p] = usable[a] && usable[b];
            if (!_pairUsable[p]) continue;
            usablePairs++;
            var o = p * _binCount;
            for (var k = 0; k < _binCount; k++)
            {
                var bin = _firstBin + k;
                var cr = (re[a][bin] * re[b][bin]) + (im[a][bin] * im[b][bin]);
                var ci = (im[a][bin] * re[b][bin]) - (re[a][bin] * im[b][bin]);
                var mag = MathF.Sqrt((cr * cr) + (ci * ci));
                var g = mag > 1e-20f && _mask[bin] > 0 ? 1f / mag : 0f;
                _xr[o + k] = cr * g;
                _xi[o + k] = ci * g;
            }
        }
        var scale = usablePairs > 0 ? 1f / usablePairs : 0f;
        for (var c = 0; c < _binScore.Length; c++)
        {
            var score = _binScore[c].AsSpan();
            score.Clear();
            for (var p = 0; p < _pairs.Length; p++)
            {
                if (!_pairUsable[p]) continue;
                var o = p * _binCount;
                var xr = _xr.AsSpan(o, _binCount);
                var xi = _xi.AsSpan(o, _binCount);
                var cos = _steerCos[c].AsSpan(o, _binCount);
                var sin = _steerSin[c].AsSpan(o, _binCount);
                for (var k = 0; k < score.Length; k++) score[k] += (xr[k] * cos[k]) - (xi[k] * sin[k]);
            }
            System.Numerics.Tensors.TensorPrimitives.Multiply(score, scale, score);
        }
    }

    /// <summary>
    /// The second source of a frame: bins the strongest candidate explains (their phases fit it at least
    /// <see cref="ResidualCoherence"/>) are removed, so the first talker and the seats beside it that
    /// share its delays (ghosts) drop out, and the candidate with the highest steered power over the
    /// rest is the second source. A seat found this way gets that power as evidence; a loudspeaker is radio.
    /// </summary>
    private void ScoreResidual(int first)
    {
        Array.Clear(_residualPower);
        Second = -1;
        if (ResidualCoherence <= 0 || first < 0) return;
        var firstScore = _binScore[first];
        var bandMask = _mask.AsSpan(_firstBin, _binCount);
        var count = 0;
        for (var k = 0; k < _binCount; k++)
        {
            if (bandMask[k] <= 0 || firstScore[k] >= ResidualCoherence) continue;
            count++;
            for (var c = 0; c < _binScore.Length; c++) _residualPower[c] += _binScore[c][k];
        }
        if (count < MinResidualShare * _binCount) return;
        float best = MinResidualPower;
        for (var c = 0; c < _residualPower.Length; c++)
        {
            _residualPower[c] /= count;
            if (c != first && _residualPower[c] >= best)
            {
                best = _residualPower[c];
                Second = c;
            }
        }
        if (Second >= 0 && Second < ZoneCount) _evidence[Second] = Math.Max(_evidence[Second], _residualPower[Second]);
    }

    /// <summary>Scores the frame from the localizer's correlations (it must have processed the same frame with <see cref="Mask"/>).</summary>
    public void Score()
    {
        Array.Clear(_evidence);
        Array.Clear(_distinct);
        Second = -1;
        float bestZone = 0, bestSpeaker = 0;
        int zoneAt = -1, speakerAt = -1;
        for (var c = 0; c < Candidates.Length; c++)
        {
            _steeredPower[c] = Reflections is null ? Localizer.PowerAt(_candidateLags[c])
                : _activeBins > 0 ? System.Numerics.Tensors.TensorPrimitives.Sum<float>(_binScore[c]) / _activeBins : 0f;
            if (c < ZoneCount && _steeredPower[c] > bestZone)
            {
                bestZone = _steeredPower[c];
                zoneAt = c;
            }
            else if (c >= ZoneCount && _steeredPower[c] > bestSpeaker)
            {
                bestSpeaker = _steeredPower[c];
                speakerAt = c;
            }
        }
        if (ActiveShare < MinActiveShare || bestZone <= 0)
        {
            // Silence fades the map, so the next talker is not judged against the last one's.
            if (AccumulationFrames > 0)
                for (var c = 0; c < Candidates.Length; c++) _accumulated[c] -= _accumulated[c] / AccumulationFrames;
            return;
        }
        var owner = zoneAt;
        if (AccumulationFrames > 0)
        {
            // Reverberation moves the frame's peak between a talker's seat and a neighbouring one; the
            // direct path keeps the same seat on top over a few hundred milliseconds.
            var a = 1f / AccumulationFrames;
            float bestAccumulated = 0;
            for (var c = 0; c < Candidates.Length; c++)
            {
                _accumulated[c] += a * (_steeredPower[c] - _accumulated[c]);
                if (c < ZoneCount && _accumulated[c] > bestAccumulated)
                {
                    bestAccumulated = _accumulated[c];
                    owner = c;
                }
            }
        }
        if (bestSpeaker > bestZone + LoudspeakerMargin)
        {
            for (var c = ZoneCount; c < Candidates.Length; c++)
                if (_steeredPower[c] >= bestSpeaker) _evidence[c] = _steeredPower[c];
            ScoreResidual(speakerAt);
            MarkDistinct(-1);
            return;
        }
        for (var z = 0; z < ZoneCount; z++)
            if (_steeredPower[z] >= RelativePower * bestZone) _evidence[z] = _steeredPower[z];
        ScoreResidual(bestSpeaker > bestZone ? speakerAt : zoneAt);
        // The accumulated map decides only between seats that are close in this frame; a seat that clearly
        // wins the frame (a second talker's syllable) keeps it.
        MarkDistinct(_evidence[owner] > 0 ? owner : zoneAt);
    }

    private void MarkDistinct(int winner)
    {
        if (winner >= 0 && _evidence[winner] > 0) _distinct[winner] = true;
        if (Second >= 0 && Second < ZoneCount && _evidence[Second] > 0) _distinct[Second] = true;
    }
}
