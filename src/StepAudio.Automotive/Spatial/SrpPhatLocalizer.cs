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
    private readonly float[] _lagPositions; // [direction * pairs + pair]
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
        _lagPositions = new float[_directions.Length * pairs.Length];
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
                    _lagPositions[(d * pairs.Length) + p] = Gcc.LagPosition(tau);
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
        var scale = 1f / _usablePairs;
        for (var d = 0; d < _power.Length; d++)
        {
            float sum = 0;
            var lags = _lagPositions.AsSpan(d * pairs.Length, pairs.Length);
            for (var p = 0; p < pairs.Length; p++)
                if (_pairUsable[p]) sum += GccPhat.ValueAt(_correlations[p], lags[p]);
            _power[d] = sum * scale;
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
    /// The grid direction of highest power within <paramref name="maxAngleDeg"/> of an expected
    /// direction. A slight preference for directions close to the expected one (0.001 of the
    /// power scale per degree) breaks the ties of geometries that cannot see every dimension — a
    /// linear array's cone of equal delays, a planar array's mirror image — in favour of the seat.
    /// </summary>
    public int PeakNear(Point3 expected, double maxAngleDeg)
    {
        var cosMax = Math.Cos(maxAngleDeg * Math.PI / 180);
        var len = expected.Length;
        var best = -1;
        var bestScore = double.NegativeInfinity;
        for (var d = 0; d < _power.Length; d++)
        {
            var c = Point3.Dot(_directions[d], expected) / len;
            if (c < cosMax) continue;
            var angle = Math.Acos(Math.Min(1, c)) * 180 / Math.PI;
            var score = _power[d] - (0.001 * angle);
            if (score > bestScore)
            {
                bestScore = score;
                best = d;
            }
        }
        return best;
    }
}
