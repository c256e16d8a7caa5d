namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Minimum-variance distortionless response per zone and frequency: w = R⁻¹a / (aᴴR⁻¹a), where R
/// is the noise-and-interference covariance learned only while that zone is silent, so the beam
/// keeps its own talker undistorted and nulls the others, the radio and the road. Covariance
/// updates use spectra delayed by <see cref="UpdateDelayFrames"/>, so the frames before the
/// tracker notices a talker starting do not teach the beam to cancel that talker. Diagonal
/// loading plus a white-noise-gain limit keep a small array from amplifying sensor noise; a zone
/// without an estimate yet falls back to delay-and-sum. Weights are refreshed for one zone per
/// frame, so each zone's weights are at most <c>zones</c> frames old.
/// </summary>
public sealed class MvdrBeamformer : ZoneBeamformer
{
    /// <summary>Frames between hearing a frame and learning from it (150 ms: the tracker's onset latency).</summary>
    public const int UpdateDelayFrames = 15;

    private readonly double[] _covRe; // [((zone * bins + k) * M + i) * M + j]
    private readonly double[] _covIm;
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

    public MvdrBeamformer(ArrayGeometry geometry, Stft stft, int sampleRate)
        : base(geometry, stft, sampleRate)
    {
        var m = Mics;
        _covRe = new double[Zones * Bins * m * m];
        _covIm = new double[_covRe.Length];
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
        for (var z = 0; z < Zones; z++) ComputeWeights(z);
    }

    public override void Update(float[][] re, float[][] im, ReadOnlySpan<bool> zoneActive)
    {
        var m = Mics;
        var delayed = _ringNext; // the oldest slot, about to be overwritten
        if (_ringCount == UpdateDelayFrames)
        {
            var a = 1 - Forgetting;
            for (var z = 0; z < Zones; z++) if (!zoneActive[z]) _updates[z]++;
            for (var k = 0; k < Bins; k++)
            {
                // The frame's outer product x·xᴴ once per bin, blended into every silent zone's estimate.
                for (var i = 0; i < m; i++)
                {
                    var xiR = _ringRe[(((delayed * m) + i) * Bins) + k];
                    var xiI = _ringIm[(((delayed * m) + i) * Bins) + k];
                    for (var j = 0; j < m; j++)
                    {
                        var xjR = _ringRe[(((delayed * m) + j) * Bins) + k];
                        var xjI = _ringIm[(((delayed * m) + j) * Bins) + k];
                        _aRe[(i * m) + j] = a * ((xiR * xjR) + (xiI * xjI));
                        _aIm[(i * m) + j] = a * ((xiI * xjR) - (xiR * xjI));
                    }
                }
                for (var z = 0; z < Zones; z++)
                {
                    if (zoneActive[z]) continue;
                    var c = ((z * Bins) + k) * m * m;
                    for (var e = 0; e < m * m; e++)
                    {
                        _covRe[c + e] = (Forgetting * _covRe[c + e]) + _aRe[e];
                        _covIm[c + e] = (Forgetting * _covIm[c + e]) + _aIm[e];
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

        ComputeWeights(_nextZone);
        _nextZone = (_nextZone + 1) % Zones;
    }

    public override void Beam(int zone, float[][] re, float[][] im, Span<float> outRe, Span<float> outIm)
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
                // conj(w) · x
                var wr = _wRe[s + k];
                var wi = _wIm[s + k];
                outRe[k] += (wr * xr[k]) + (wi * xi[k]);
                outIm[k] += (wr * xi[k]) - (wi * xr[k]);
            }
        }
    }

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

    private void ComputeWeights(int zone)
    {
        if (_updates[zone] < MinUpdates || UsableCount == 0)
        {
            SetDelayAndSum(zone);
            return;
        }
        var u = 0;
        for (var mic = 0; mic < Mics; mic++) if (Usable[mic]) _usableIndex[u++] = mic;
        var m = Mics;
        for (var k = 0; k < Bins; k++)
        {
            var c = ((zone * Bins) + k) * m * m;
            double trace = 0;
            for (var i = 0; i < u; i++) trace += _covRe[c + (_usableIndex[i] * m) + _usableIndex[i]];
            var load = (Loading * trace / u) + 1e-12;
            var solved = false;
            for (var attempt = 0; attempt < 5 && !solved; attempt++, load *= 10)
                solved = Solve(zone, k, c, u, load);
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
    private bool Solve(int zone, int k, int c, int u, double load)
    {
        var m = Mics;
        for (var i = 0; i < u; i++)
        {
            for (var j = 0; j < u; j++)
            {
                var e = c + (_usableIndex[i] * m) + _usableIndex[j];
                _aRe[(i * u) + j] = _covRe[e] + (i == j ? load : 0);
                _aIm[(i * u) + j] = i == j ? 0 : _covIm[e];
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
