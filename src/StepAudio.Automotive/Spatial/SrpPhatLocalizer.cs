using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Steered response power with phase transform over an azimuth × elevation grid (far field, seen
/// from the array centre) for any array geometry: the sum over microphone pairs of each pair's
/// GCC-PHAT at the delay that direction implies. Each pair's correlation is computed once per
/// frame on a fine lag grid; the per-direction delays are precomputed lag positions, so a frame
/// costs pairs × lags dot products plus directions × pairs lookups. Near-field points (seat mouths,
/// loudspeakers) are steered the same way with their exact 3-D delays.
/// </summary>
public sealed class SrpPhatLocalizer
{
    private readonly ArrayGeometry _geometry;
    private readonly float[][] _correlations;
    private readonly int[][] _lagIndex;      // [pair][direction]: grid lag below the direction's delay
    private readonly float[][] _lagFraction; // [pair][direction]: interpolation weight of the lag above
    private readonly Point3[] _directions;
    private readonly float[] _power;
    private readonly bool[] _pairUsable;
    private int _usablePairs;

    public SrpPhatLocalizer(ArrayGeometry geometry, int frameLength, int sampleRate, double lowHz = 300, double highHz = 3500,
        double azimuthStepDeg = 2, double elevationMinDeg = -80, double elevationMaxDeg = 80, double elevationStepDeg = 10)
    {
        _geometry = geometry;
        Gcc = new GccPhat(frameLength, sampleRate, lowHz, highHz, geometry.MaxDelaySeconds);
        var pairs = geometry.Pairs;
        _correlations = new float[pairs.Length][];
        for (var i = 0; i < pairs.Length; i++) _correlations[i] = new float[Gcc.LagCount];
        _pairUsable = new bool[pairs.Length];
        Array.Fill(_pairUsable, true);
        _usablePairs = pairs.Length;

        Azimuths = (int)Math.Round(360 / azimuthStepDeg);
        Elevations = (int)Math.Floor((elevationMaxDeg - elevationMinDeg) / elevationStepDeg) + 1;
        AzimuthStepDeg = 360.0 / Azimuths;
        ElevationMinDeg = elevationMinDeg;
        ElevationStepDeg = elevationStepDeg;
        _directions = new Point3[Azimuths * Elevations];
        _lagIndex = new int[pairs.Length][];
        _lagFraction = new float[pairs.Length][];
        for (var p = 0; p < pairs.Length; p++)
        {
            _lagIndex[p] = new int[_directions.Length];
            _lagFraction[p] = new float[_directions.Length];
        }
        for (var e = 0; e < Elevations; e++)
        {
            for (var a = 0; a < Azimuths; a++)
            {
                var d = (e * Azimuths) + a;
                var u = Point3.FromDirection(AzimuthDeg(d), ElevationDeg(d));
                _directions[d] = u;
                for (var p = 0; p < pairs.Length; p++)
                {
                    var tau = geometry.FarFieldArrivalSeconds(u, pairs[p].P) - geometry.FarFieldArrivalSeconds(u, pairs[p].Q);
                    var pos = Gcc.LagPosition(tau);
                    _lagIndex[p][d] = (int)pos;
                    _lagFraction[p][d] = pos - (int)pos;
                }
            }
        }
        _power = new float[_directions.Length];
    }

    public GccPhat Gcc { get; }

    public int Azimuths { get; }

    public int Elevations { get; }

    public double AzimuthStepDeg { get; }

    public double ElevationMinDeg { get; }

    public double ElevationStepDeg { get; }

    public int Directions => _directions.Length;

    /// <summary>Steered power of every grid direction for the last frame, mean over usable pairs, in [−1, 1].</summary>
    public ReadOnlySpan<float> Power => _power;

    public double AzimuthDeg(int direction) => -180 + ((direction % Azimuths) * AzimuthStepDeg);

    public double ElevationDeg(int direction) => ElevationMinDeg + ((direction / Azimuths) * ElevationStepDeg);

    public Point3 Direction(int direction) => _directions[direction];

    /// <summary>Correlation of one pair (index into <see cref="ArrayGeometry.Pairs"/>) for the last frame.</summary>
    public ReadOnlySpan<float> Correlation(int pair) => _correlations[pair];

    /// <summary>Leaves out every pair that involves an unusable (dead, clipping) microphone.</summary>
    public void SetUsableMics(ReadOnlySpan<bool> usable)
    {
        var pairs = _geometry.Pairs;
        _usablePairs = 0;
        for (var p = 0; p < pairs.Length; p++)
        {
            _pairUsable[p] = usable[pairs[p].P] && usable[pairs[p].Q];
            if (_pairUsable[p]) _usablePairs++;
        }
    }

    public int UsablePairs => _usablePairs;

    /// <summary>Lag positions of a near-field point for every pair, for <see cref="PowerAt"/>.</summary>
    public float[] PointLagPositions(Point3 source)
    {
        var pairs = _geometry.Pairs;
        var lags = new float[pairs.Length];
        for (var p = 0; p < pairs.Length; p++)
            lags[p] = Gcc.LagPosition(_geometry.ArrivalSeconds(source, pairs[p].P) - _geometry.ArrivalSeconds(source, pairs[p].Q));
        return lags;
    }

    /// <summary>Steered power at precomputed lag positions (a point or a direction), mean over usable pairs.</summary>
    public float PowerAt(ReadOnlySpan<float> lagPositions)
    {
        if (_usablePairs == 0) return 0;
        float sum = 0;
        for (var p = 0; p < _correlations.Length; p++)
            if (_pairUsable[p]) sum += GccPhat.ValueAt(_correlations[p], lagPositions[p]);
        return sum / _usablePairs;
    }

    /// <summary>
    /// Correlates every usable pair and fills the power map. Spectra are per microphone, bins 0..N/2;
    /// <paramref name="binMask"/> optionally weights bins (the zone map passes its above-noise mask).
    /// </summary>
    public void Process(float[][] re, float[][] im, ReadOnlySpan<float> binMask = default)
    {
        var pairs = _geometry.Pairs;
        for (var p = 0; p < pairs.Length; p++)
        {
            if (!_pairUsable[p]) continue;
            var (a, b) = pairs[p];
            Gcc.Correlate(re[a], im[a], re[b], im[b], _correlations[p], binMask);
        }
        if (_usablePairs == 0)
        {
            Array.Clear(_power);
            return;
        }
        // Pair by pair over all directions: no branch inside, one correlation in cache at a time.
        Array.Clear(_power);
        for (var p = 0; p < pairs.Length; p++)
        {
            if (!_pairUsable[p]) continue;
            AccumulatePair(_correlations[p], _lagIndex[p], _lagFraction[p], _power);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(_power, 1f / _usablePairs, _power);
    }

    /// <summary>power[d] += r at each direction's fractional lag; indices are valid by construction.</summary>
    private static unsafe void AccumulatePair(float[] correlation, int[] lagIndex, float[] lagFraction, float[] power)
    {
        fixed (float* r = correlation, f = lagFraction, pw = power)
        fixed (int* index = lagIndex)
        {
            for (var d = 0; d < power.Length; d++)
            {
                var i = index[d];
                pw[d] += r[i] + (f[d] * (r[i + 1] - r[i]));
            }
        }
    }

    /// <summary>The grid direction of highest power.</summary>
    public int Peak()
    {
        var best = 0;
        for (var d = 1; d < _power.Length; d++)
            if (_power[d] > _power[best]) best = d;
        return best;
    }

    /// <summary>
    /// The grid directions within <paramref name="maxAngleDeg"/> of an expected direction (a seat's),
    /// precomputed once so <see cref="PeakIn"/> costs only a scan of them.
    /// </summary>
    public SearchRegion Region(Point3 expected, double maxAngleDeg)
    {
        var cosMax = Math.Cos(maxAngleDeg * Math.PI / 180);
        var len = expected.Length;
        var indices = new List<int>();
        var penalties = new List<float>();
        for (var d = 0; d < _directions.Length; d++)
        {
            var c = Point3.Dot(_directions[d], expected) / len;
            if (c < cosMax) continue;
            indices.Add(d);
            penalties.Add((float)(PreferencePerDegree * Math.Acos(Math.Min(1, c)) * 180 / Math.PI));
        }
        return new SearchRegion([.. indices], [.. penalties]);
    }

    /// <summary>
    /// The direction of highest power in a region. A slight preference for directions close to the
    /// expected one (<see cref="PreferencePerDegree"/> of the power scale per degree) breaks the ties of
    /// geometries that cannot see every dimension — a linear array's cone of equal delays, a planar
    /// array's mirror image — in favour of the seat. −1 for an empty region.
    /// </summary>
    public int PeakIn(SearchRegion region)
    {
        var best = -1;
        var bestScore = float.NegativeInfinity;
        var indices = region.Directions;
        var penalties = region.Penalties;
        for (var i = 0; i < indices.Length; i++)
        {
            var score = _power[indices[i]] - penalties[i];
            if (score > bestScore)
            {
                bestScore = score;
                best = indices[i];
            }
        }
        return best;
    }

    /// <summary>Convenience for one-off searches: <see cref="PeakIn"/> of a fresh <see cref="Region"/>.</summary>
    public int PeakNear(Point3 expected, double maxAngleDeg) => PeakIn(Region(expected, maxAngleDeg));

    public const float PreferencePerDegree = 0.001f;
}
