using System.Numerics.Tensors;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Minimum-variance distortionless response per zone and frequency: w = R⁻¹a / (aᴴR⁻¹a), where R
/// is the noise-and-interference covariance learned only while that zone is silent, so the beam
/// keeps its own talker undistorted and nulls the others, the radio and the road. Covariance
/// updates use spectra delayed by <see cref="UpdateDelayFrames"/>, so the frames before the
/// tracker notices a talker starting do not teach the beam to cancel that talker. Diagonal
/// loading plus a white-noise-gain limit keep a small array from amplifying sensor noise; a zone
/// without an estimate yet falls back to delay-and-sum. Weights are refreshed an eighth of one zone's
/// bins per frame, so each zone's weights are at most 8 × zones frames old.
/// </summary>
public sealed class MvdrBeamformer : ZoneBeamformer
{
    /// <summary>Frames between hearing a frame and learning from it (150 ms: the tracker's onset latency).</summary>
    public const int UpdateDelayFrames = 15;

    private readonly float[] _covRe; // [((zone * M * M) + i * M + j) * bins + k], upper triangle i ≤ j
    private readonly float[] _covIm;
    private readonly float[] _outerRe;
    private readonly float[] _outerIm;
    private readonly float[] _scratch;
    private readonly float[] _wRe;    // indexed like the steering vectors
    private readonly float[] _wIm;
    private readonly int[] _updates;
    private readonly float[] _ringRe; // [(slot * M + m) * bins + k]
    private readonly float[] _ringIm;
    private readonly int[] _usableIndex;
    private readonly double[] _aRe;
    private readonly double[] _aIm;
    private readonly double[] _lRe;
    private readonly double[] _lIm;
    private readonly double[] _yRe;
    private readonly double[] _yIm;
    private readonly double[] _sRe;
    private readonly double[] _sIm;
    private int _ringCount;
    private int _ringNext;
    private int _nextZone;
    private int _nextChunk;

    public MvdrBeamformer(ArrayGeometry geometry, Stft stft, int sampleRate)
        : base(geometry, stft, sampleRate)
    {
        var m = Mics;
        _covRe = new float[Zones * Bins * m * m];
        _covIm = new float[_covRe.Length];
        _outerRe = new float[Bins];
        _outerIm = new float[Bins];
        _scratch = new float[Bins];
        _wRe = new float[Zones * m * Bins];
        _wIm = new float[_wRe.Length];
        _updates = new int[Zones];
        _ringRe = new float[UpdateDelayFrames * m * Bins];
        _ringIm = new float[_ringRe.Length];
        _usableIndex = new int[m];
        _aRe = new double[m * m];
        _aIm = new double[m * m];
        _lRe = new double[m * m];
        _lIm = new double[m * m];
        _yRe = new double[m];
        _yIm = new double[m];
        _sRe = new double[m];
        _sIm = new double[m];
        for (var z = 0; z < Zones; z++) SetDelayAndSum(z);
    }

    /// <summary>Weight of the past in the covariance estimate per frame (0.97: about 0.3 s memory).</summary>
    public double Forgetting { get; init; } = 0.97;

    /// <summary>Diagonal loading as a fraction of the mean microphone power.</summary>
    public double Loading { get; init; } = 0.001;

    /// <summary>Largest allowed ‖w‖² (delay-and-sum has 1/M); above it loading is raised tenfold, up to four times.</summary>
    public double MaxNoiseGain { get; init; } = 4.0;

    /// <summary>Covariance frames a zone needs before MVDR replaces delay-and-sum.</summary>
    public int MinUpdates { get; init; } = 20;

    public override void SetUsableMics(ReadOnlySpan<bool> usable)
    {
        base.SetUsableMics(usable);
        for (var z = 0; z < Zones; z++) ComputeWeights(z, 0, Bins);
    }

    public override void Update(float[][] re, float[][] im, ReadOnlySpan<bool> zoneActive)
    {
        var m = Mics;
        var delayed = _ringNext; // the oldest slot, about to be overwritten
        if (_ringCount == UpdateDelayFrames)
        {
            var a = (float)(1 - Forgetting);
            var f = (float)Forgetting;
            for (var z = 0; z < Zones; z++) if (!zoneActive[z]) _updates[z]++;
            // Hermitian: only the upper triangle (i ≤ j) is kept; the solver mirrors it. Vectorised over bins.
            for (var i = 0; i < m; i++)
            {
                var xiR = _ringRe.AsSpan(((delayed * m) + i) * Bins, Bins);
                var xiI = _ringIm.AsSpan(((delayed * m) + i) * Bins, Bins);
                for (var j = i; j < m; j++)
                {
                    var xjR = _ringRe.AsSpan(((delayed * m) + j) * Bins, Bins);
                    var xjI = _ringIm.AsSpan(((delayed * m) + j) * Bins, Bins);
                    // x_i · conj(x_j)
                    TensorPrimitives.Multiply(xiR, xjR, _outerRe);
                    TensorPrimitives.Multiply(xiI, xjI, _scratch);
                    TensorPrimitives.Add(_outerRe, _scratch, _outerRe);
                    TensorPrimitives.Multiply(xiI, xjR, _outerIm);
                    TensorPrimitives.Multiply(xiR, xjI, _scratch);
                    TensorPrimitives.Subtract(_outerIm, _scratch, _outerIm);
                    for (var z = 0; z < Zones; z++)
                    {
                        if (zoneActive[z]) continue;
                        var cRe = _covRe.AsSpan(CovIndex(z, i, j, 0), Bins);
                        var cIm = _covIm.AsSpan(CovIndex(z, i, j, 0), Bins);
                        TensorPrimitives.Multiply(cRe, f, cRe);
                        TensorPrimitives.MultiplyAdd(_outerRe, a, cRe, cRe);
                        TensorPrimitives.Multiply(cIm, f, cIm);
                        TensorPrimitives.MultiplyAdd(_outerIm, a, cIm, cIm);
                    }
                }
            }
        }
        for (var i = 0; i < m; i++)
        {
            re[i].AsSpan(0, Bins).CopyTo(_ringRe.AsSpan(((_ringNext * m) + i) * Bins, Bins));
            im[i].AsSpan(0, Bins).CopyTo(_ringIm.AsSpan(((_ringNext * m) + i) * Bins, Bins));
        }
        _ringNext = (_ringNext + 1) % UpdateDelayFrames;
        _ringCount = Math.Min(_ringCount + 1, UpdateDelayFrames);

        // An eighth of one zone's bins per frame: every zone's weights are refreshed every 32 frames (0.32 s, the covariance memory).
        var chunk = (Bins + RefreshChunks - 1) / RefreshChunks;
        var first = _nextChunk * chunk;
        ComputeWeights(_nextZone, first, Math.Min(Bins, first + chunk));
        if (++_nextChunk == RefreshChunks)
        {
            _nextChunk = 0;
            _nextZone = (_nextZone + 1) % Zones;
        }
    }

    private const int RefreshChunks = 8;

    private int CovIndex(int zone, int i, int j, int bin) => (((zone * Mics * Mics) + (i * Mics) + j) * Bins) + bin;

    public override void Beam(int zone, float[][] re, float[][] im, Span<float> outRe, Span<float> outIm) =>
        ApplyWeights(zone, _wRe, _wIm, 1f, re, im, outRe, outIm);

    private void SetDelayAndSum(int zone)
    {
        var g = UsableCount > 0 ? 1f / UsableCount : 0f;
        for (var m = 0; m < Mics; m++)
        {
            for (var k = 0; k < Bins; k++)
            {
                var i = Index(zone, m, k);
                _wRe[i] = Usable[m] ? g * SteerRe[i] : 0;
                _wIm[i] = Usable[m] ? g * SteerIm[i] : 0;
            }
        }
    }

    private void ComputeWeights(int zone, int firstBin, int endBin)
    {
        if (_updates[zone] < MinUpdates || UsableCount == 0)
        {
            SetDelayAndSum(zone);
            return;
        }
        var u = 0;
        for (var mic = 0; mic < Mics; mic++) if (Usable[mic]) _usableIndex[u++] = mic;
        var m = Mics;
        for (var k = firstBin; k < endBin; k++)
        {
            double trace = 0;
            for (var i = 0; i < u; i++) trace += _covRe[CovIndex(zone, _usableIndex[i], _usableIndex[i], k)];
            var load = (Loading * trace / u) + 1e-12;
            var solved = false;
            for (var attempt = 0; attempt < 5 && !solved; attempt++, load *= 10)
                solved = Solve(zone, k, u, load);
            if (!solved)
            {
                for (var mic = 0; mic < m; mic++)
                {
                    var i = Index(zone, mic, k);
                    _wRe[i] = Usable[mic] ? SteerRe[i] / u : 0;
                    _wIm[i] = Usable[mic] ? SteerIm[i] / u : 0;
                }
            }
        }
    }

    /// <summary>Loaded covariance of the usable microphones, Cholesky, w = R⁻¹a / aᴴR⁻¹a; false if ‖w‖² is too large.</summary>
    private bool Solve(int zone, int k, int u, double load)
    {
        var m = Mics;
        for (var i = 0; i < u; i++)
        {
            for (var j = 0; j < u; j++)
            {
                // Only the upper triangle is stored: below the diagonal take the conjugate.
                var (a, b, sign) = i <= j ? (_usableIndex[i], _usableIndex[j], 1.0) : (_usableIndex[j], _usableIndex[i], -1.0);
                var e = CovIndex(zone, a, b, k);
                _aRe[(i * u) + j] = _covRe[e] + (i == j ? load : 0);
                _aIm[(i * u) + j] = i == j ? 0 : sign * _covIm[e];
            }
            var s = Index(zone, _usableIndex[i], k);
            _sRe[i] = SteerRe[s];
            _sIm[i] = SteerIm[s];
        }
        // A = L Lᴴ
        for (var i = 0; i < u; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                double sr = _aRe[(i * u) + j], si = _aIm[(i * u) + j];
                for (var q = 0; q < j; q++)
                {
                    // L_iq · conj(L_jq)
                    sr -= (_lRe[(i * u) + q] * _lRe[(j * u) + q]) + (_lIm[(i * u) + q] * _lIm[(j * u) + q]);
                    si -= (_lIm[(i * u) + q] * _lRe[(j * u) + q]) - (_lRe[(i * u) + q] * _lIm[(j * u) + q]);
                }
                if (i == j)
                {
                    if (sr <= 0) return false;
                    _lRe[(i * u) + i] = Math.Sqrt(sr);
                    _lIm[(i * u) + i] = 0;
                }
                else
                {
                    var d = _lRe[(j * u) + j];
                    _lRe[(i * u) + j] = sr / d;
                    _lIm[(i * u) + j] = si / d;
                }
            }
        }
        // L v = a
        for (var i = 0; i < u; i++)
        {
            double vr = _sRe[i], vi = _sIm[i];
            for (var q = 0; q < i; q++)
            {
                vr -= (_lRe[(i * u) + q] * _yRe[q]) - (_lIm[(i * u) + q] * _yIm[q]);
                vi -= (_lRe[(i * u) + q] * _yIm[q]) + (_lIm[(i * u) + q] * _yRe[q]);
            }
            _yRe[i] = vr / _lRe[(i * u) + i];
            _yIm[i] = vi / _lRe[(i * u) + i];
        }
        // Lᴴ y = v
        for (var i = u - 1; i >= 0; i--)
        {
            double yr = _yRe[i], yi = _yIm[i];
            for (var q = i + 1; q < u; q++)
            {
                // conj(L_qi) · y_q
                yr -= (_lRe[(q * u) + i] * _yRe[q]) + (_lIm[(q * u) + i] * _yIm[q]);
                yi -= (_lRe[(q * u) + i] * _yIm[q]) - (_lIm[(q * u) + i] * _yRe[q]);
            }
            _yRe[i] = yr / _lRe[(i * u) + i];
            _yIm[i] = yi / _lRe[(i * u) + i];
        }
        // aᴴ y is real and positive for a positive definite A.
        double den = 0, norm = 0;
        for (var i = 0; i < u; i++) den += (_sRe[i] * _yRe[i]) + (_sIm[i] * _yIm[i]);
        if (den <= 0) return false;
        for (var i = 0; i < u; i++) norm += ((_yRe[i] * _yRe[i]) + (_yIm[i] * _yIm[i])) / (den * den);
        if (norm > MaxNoiseGain) return false;
        for (var mic = 0; mic < m; mic++)
        {
            var s = Index(zone, mic, k);
            _wRe[s] = 0;
            _wIm[s] = 0;
        }
        for (var i = 0; i < u; i++)
        {
            var s = Index(zone, _usableIndex[i], k);
            _wRe[s] = (float)(_yRe[i] / den);
            _wIm[s] = (float)(_yIm[i] / den);
        }
        return true;
    }
}
