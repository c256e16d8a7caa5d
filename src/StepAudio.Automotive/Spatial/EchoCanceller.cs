using System.Numerics.Tensors;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Acoustic echo cancellation in the STFT domain: the head unit knows what its loudspeakers play (the
/// reference channels after the microphones in the capture stream), so what they put into each microphone
/// is predicted and subtracted before localization and beamforming. Per microphone and bin, a filter of
/// <see cref="Taps"/> past reference frames per loudspeaker (10 ms each: the cabin's echo tail), adapted on
/// the residual with a Kalman step per bin (the filters' uncertainty against the power of what they cannot
/// predict), capped by the residual's echo share measured over ~200 ms: a talker in the cabin stays in the
/// residual and, talking over the radio, holds the filters still instead of pulling them off, which a fixed NLMS
/// step does (simulated console cabin, radio at −6 dB and a rear passenger over it: NLMS 0.2 fell from 17 to
/// 3 dB, and made the echo 1.5 dB worse when the talker began with the radio). Allocates nothing per frame.
/// </summary>
public sealed class EchoCanceller
{
    private readonly int _mics;
    private readonly int _references;
    private readonly int _bins;
    private readonly float[] _xRe;   // [(reference * taps + slot) * bins + k]: reference spectra, ring over slots
    private readonly float[] _xIm;
    private readonly float[] _wRe;   // [((mic * references + reference) * taps + lag) * bins + k]
    private readonly float[] _wIm;
    private readonly float[] _power; // [k]: Σ over references and taps of |X|²
    private readonly float[] _rate;  // [k]: this frame's step of one microphone
    private readonly float[] _crossRe;     // [(mic * references + reference) * bins + k]: smoothed residual × conj(reference)
    private readonly float[] _crossIm;
    private readonly float[] _referencePower; // [reference * bins + k]: smoothed |reference|²
    private readonly float[] _residualSlow;   // [mic * bins + k]: smoothed |residual|², over the statistics' span
    private readonly float[] _residualFast;   // [mic * bins + k]: the same over a syllable's onset
    private readonly float[] _leakCross;      // [mic * bins + k]: smoothed Re(residual × conj(echo estimate))
    private readonly float[] _leakPower;      // [mic * bins + k]: smoothed |echo estimate|²
    private readonly float[] _share;          // [k]: the residual's echo share of one microphone this frame
    private readonly float[] _uncertainty; // [mic * bins + k]: the filters' state variance, −1 before the first frame
    private readonly float[] _nearEnd;     // [mic * bins + k]: smoothed power of what the filters cannot predict
    private readonly int _regressors;      // references × taps
    private readonly float[] _yRe;
    private readonly float[] _yIm;
    private readonly float[] _t1;
    private int _newest = -1;

    public EchoCanceller(int mics, int references, int bins, int taps = 12)
    {
        if (references <= 0) throw new ArgumentOutOfRangeException(nameof(references), references, "needs at least one reference");
        _mics = mics;
        _references = references;
        _bins = bins;
        Taps = taps;
        _xRe = new float[references * taps * bins];
        _xIm = new float[_xRe.Length];
        _wRe = new float[mics * references * taps * bins];
        _wIm = new float[_wRe.Length];
        _power = new float[bins];
        _rate = new float[bins];
        _crossRe = new float[mics * references * bins];
        _crossIm = new float[_crossRe.Length];
        _referencePower = new float[references * bins];
        _residualSlow = new float[mics * bins];
        _residualFast = new float[mics * bins];
        _leakCross = new float[mics * bins];
        _leakPower = new float[mics * bins];
        _share = new float[bins];
        _regressors = references * taps;
        _uncertainty = new float[mics * bins];
        _nearEnd = new float[mics * bins];
        Array.Fill(_uncertainty, -1f);
        _yRe = new float[bins];
        _yIm = new float[bins];
        _t1 = new float[bins];
    }

    /// <summary>Reference frames each filter spans (12: 120 ms at a 10 ms hop, past a small cabin's RT60 of ~0.15 s at −40 dB).</summary>
    public int Taps { get; }

    /// <summary>Weight of the past in the residual's statistics per frame (0.95: ~200 ms, long enough that a talker's speech averages out of its correlation with the radio).</summary>
    public float Smoothing { get; init; } = 0.95f;

    /// <summary>Weight of the past in the residual's fast power per frame (0.7: ~30 ms, a syllable's onset), so a talker starting over the radio stops the filters at once.</summary>
    public float OnsetSmoothing { get; init; } = 0.7f;

    /// <summary>Weight of the past in the near-end power estimate per frame (0.7: ~30 ms, a syllable's onset).</summary>
    public float NearEndSmoothing { get; init; } = 0.7f;

    /// <summary>Growth of the filters' uncertainty per frame, so they keep following a cabin that changes (a passenger leaning over).</summary>
    public float Drift { get; init; } = 0.001f;

    /// <summary>Regularisation as a fraction of the mean reference power per bin, so a silent or faint reference does not blow the step up.</summary>
    public float Regularisation { get; init; } = 0.01f;

    /// <summary>
    /// Takes the loudspeakers' spectra of this frame and removes their predicted echo from every microphone's
    /// spectrum in place (bins 0..N/2), then adapts the filters on what is left.
    /// </summary>
    public void Process(float[][] micRe, float[][] micIm, float[][] refRe, float[][] refIm)
    {
        var bins = _bins;
        var taps = Taps;
        _newest = (_newest + 1) % taps;
        for (var r = 0; r < _references; r++)
        {
            refRe[r].AsSpan(0, bins).CopyTo(_xRe.AsSpan(((r * taps) + _newest) * bins, bins));
            refIm[r].AsSpan(0, bins).CopyTo(_xIm.AsSpan(((r * taps) + _newest) * bins, bins));
            var px = _referencePower.AsSpan(r * bins, bins);
            for (var k = 0; k < bins; k++)
                px[k] = (Smoothing * px[k]) + ((1 - Smoothing) * ((refRe[r][k] * refRe[r][k]) + (refIm[r][k] * refIm[r][k])));
        }
        // The regressor's power per bin, over every reference and tap.
        _power.AsSpan().Clear();
        for (var s = 0; s < _references * taps; s++)
        {
            var xr = _xRe.AsSpan(s * bins, bins);
            var xi = _xIm.AsSpan(s * bins, bins);
            TensorPrimitives.MultiplyAdd(xr, xr, _power, _power);
            TensorPrimitives.MultiplyAdd(xi, xi, _power, _power);
        }
        // Nothing played for a whole filter span: no echo to remove and nothing to learn, but the residual's
        // statistics go on, so a radio that starts under a talker finds the talker already in them.
        var total = TensorPrimitives.Sum(_power);
        var playing = total > 0;
        var floor = (Regularisation * total / bins) + 1e-12f;

        for (var m = 0; m < _mics; m++)
        {
            var eRe = micRe[m].AsSpan(0, bins);
            var eIm = micIm[m].AsSpan(0, bins);
            // y = Σ w · x over references and lags; e = d − y
            _yRe.AsSpan().Clear();
            _yIm.AsSpan().Clear();
            if (playing)
            {
                for (var r = 0; r < _references; r++)
                {
                    for (var lag = 0; lag < taps; lag++)
                    {
                        var (x, w) = Spans(m, r, lag);
                        ComplexMultiplyAdd(_wRe.AsSpan(w, bins), _wIm.AsSpan(w, bins), _xRe.AsSpan(x, bins), _xIm.AsSpan(x, bins), _yRe, _yIm);
                    }
                }
                TensorPrimitives.Subtract(eRe, _yRe, eRe);
                TensorPrimitives.Subtract(eIm, _yIm, eIm);
            }
            EstimateEchoShare(m, eRe, eIm);
            if (!playing) continue;
            KalmanStep(m, eRe, eIm, floor);
            // w += rate · e · conj(x)
            TensorPrimitives.Multiply(eRe, _rate, _yRe);
            TensorPrimitives.Multiply(eIm, _rate, _yIm);
            for (var r = 0; r < _references; r++)
            {
                for (var lag = 0; lag < taps; lag++)
                {
                    var (x, w) = Spans(m, r, lag);
                    var xr = _xRe.AsSpan(x, bins);
                    var xi = _xIm.AsSpan(x, bins);
                    var wr = _wRe.AsSpan(w, bins);
                    var wi = _wIm.AsSpan(w, bins);
                    // (a + jb)(c − jd) = (ac + bd) + j(bc − ad)
                    TensorPrimitives.MultiplyAdd(_yRe, xr, wr, wr);
                    TensorPrimitives.MultiplyAdd(_yIm, xi, wr, wr);
                    TensorPrimitives.MultiplyAdd(_yIm, xr, wi, wi);
                    TensorPrimitives.Multiply(_yRe, xi, _t1);
                    TensorPrimitives.Subtract(wi, _t1, wi);
                }
            }
        }
    }

    /// <summary>
    /// How much of microphone <paramref name="m"/>'s residual is still echo (0..1 per bin, into <see cref="_share"/>),
    /// from statistics over ~200 ms, where a talker's speech averages out: the residual's coherence with the
    /// loudspeakers' current frames, less what an average of that span shows between unrelated signals, or the
    /// share of the echo estimate (<see cref="_yRe"/>) still left in it over all bins (leakage, Valin 2007), which
    /// sees the tail the current frames miss. A talker starting over the radio counts at once (fast power).
    /// </summary>
    private void EstimateEchoShare(int m, ReadOnlySpan<float> eRe, ReadOnlySpan<float> eIm)
    {
        var bins = _bins;
        var slow = _residualSlow.AsSpan(m * bins, bins);
        var fast = _residualFast.AsSpan(m * bins, bins);
        var bias = (1 - Smoothing) / (1 + Smoothing);
        _share.AsSpan().Clear();
        for (var r = 0; r < _references; r++)
        {
            var newest = ((r * Taps) + _newest) * bins;
            var cross = ((m * _references) + r) * bins;
            var px = _referencePower.AsSpan(r * bins, bins);
            for (var k = 0; k < bins; k++)
            {
                var (xr, xi) = (_xRe[newest + k], _xIm[newest + k]);
                var cr = _crossRe[cross + k] = (Smoothing * _crossRe[cross + k]) + ((1 - Smoothing) * ((eRe[k] * xr) + (eIm[k] * xi)));
                var ci = _crossIm[cross + k] = (Smoothing * _crossIm[cross + k]) + ((1 - Smoothing) * ((eIm[k] * xr) - (eRe[k] * xi)));
                _share[k] += Math.Max((cr * cr) + (ci * ci) - (bias * px[k] * slow[k]), 0) / (px[k] + 1e-20f);
            }
        }
        var lc = _leakCross.AsSpan(m * bins, bins);
        var lp = _leakPower.AsSpan(m * bins, bins);
        for (var k = 0; k < bins; k++)
        {
            lc[k] = (Smoothing * lc[k]) + ((1 - Smoothing) * ((eRe[k] * _yRe[k]) + (eIm[k] * _yIm[k])));
            lp[k] = (Smoothing * lp[k]) + ((1 - Smoothing) * ((_yRe[k] * _yRe[k]) + (_yIm[k] * _yIm[k])));
        }
        var leakage = Math.Max(TensorPrimitives.Sum<float>(lc), 0) / (TensorPrimitives.Sum<float>(lp) + 1e-20f);
        for (var k = 0; k < bins; k++)
        {
            var e2 = (eRe[k] * eRe[k]) + (eIm[k] * eIm[k]);
            slow[k] = (Smoothing * slow[k]) + ((1 - Smoothing) * e2);
            fast[k] = (OnsetSmoothing * fast[k]) + ((1 - OnsetSmoothing) * e2);
            var echo = Math.Max(_share[k], leakage * ((_yRe[k] * _yRe[k]) + (_yIm[k] * _yIm[k])));
            _share[k] = Math.Min(echo / (Math.Max(slow[k], fast[k]) + 1e-20f), 1f);
        }
    }

    /// <summary>
    /// Microphone <paramref name="m"/>'s step per bin into <see cref="_rate"/>: a diagonal Kalman step, the filters'
    /// uncertainty p against what the residual holds besides their error (near-end talk and noise, ψ). A talker over
    /// the radio raises ψ and the filters hold still; while they are unsure and the radio plays alone they learn at
    /// full speed. Its start knows no scale and takes the first residual as all echo, which is wrong when the radio
    /// starts under a talker (the echo made 7 dB worse for 3 s in the test): there the echo share caps the step.
    /// </summary>
    private void KalmanStep(int m, ReadOnlySpan<float> eRe, ReadOnlySpan<float> eIm, float floor)
    {
        var bins = _bins;
        var pState = _uncertainty.AsSpan(m * bins, bins);
        var psi = _nearEnd.AsSpan(m * bins, bins);
        for (var k = 0; k < bins; k++)
        {
            var s = _power[k] + floor;
            var e2 = (eRe[k] * eRe[k]) + (eIm[k] * eIm[k]);
            if (pState[k] < 0) pState[k] = e2 / s;
            var wasNear = psi[k];
            psi[k] = (NearEndSmoothing * psi[k]) + ((1 - NearEndSmoothing) * Math.Max(e2 - (pState[k] * s), 0.01f * e2));
            var near = Math.Max(psi[k], wasNear);
            var gain = pState[k] / ((pState[k] * s) + near + 1e-20f);
            _rate[k] = Math.Min(gain, _share[k] / s);
            // One residual per bin informs the taps of every reference together, each by its share; the uncertainty
            // follows the Kalman gain even where the share held the step back, so it does not stay high and lets
            // the filters jump once the talker stops.
            pState[k] = ((1 - (gain * s / _regressors)) * pState[k]) + (Drift * pState[k]) + 1e-20f;
        }
    }

    private const uint StateMagic = 0x32454153; // "SAE2": filters and their uncertainty
    private const uint FiltersOnlyMagic = 0x43454153; // "SAEC": filters only (3dd0b6b)

    /// <summary>
    /// Writes the learned filters and how sure of them the canceller is: a cabin's echo paths hardly change
    /// between drives, so a unit that starts from what it learned last time cancels the radio from its first
    /// word instead of after a second of learning. The uncertainty goes with them, or a restored canceller takes
    /// its first residual as all echo again and, when the radio starts under a talker (the HIL scenarios' wake
    /// word), pulls good filters off in the first frames.
    /// </summary>
    public void Save(Stream stream)
    {
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(StateMagic);
        w.Write(_mics);
        w.Write(_references);
        w.Write(_bins);
        w.Write(Taps);
        foreach (var v in _wRe) w.Write(v);
        foreach (var v in _wIm) w.Write(v);
        foreach (var v in _uncertainty) w.Write(v);
    }

    /// <summary>Reads a state written by <see cref="Save"/>; the problem when it is not this canceller's (other microphones, references, taps), not finite or from an older version.</summary>
    public string? Load(Stream stream)
    {
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            var magic = r.ReadUInt32();
            if (magic == FiltersOnlyMagic) return "written by an older version (filters without their uncertainty); the echo paths are learned again";
            if (magic != StateMagic) return "not an echo canceller state";
            var shape = (r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            if (shape != (_mics, _references, _bins, Taps))
                return $"made for {shape.Item1} microphones, {shape.Item2} references, {shape.Item3} bins, {shape.Item4} taps; this capture has {_mics}, {_references}, {_bins}, {Taps}";
            var re = new float[_wRe.Length];
            var im = new float[_wIm.Length];
            var uncertainty = new float[_uncertainty.Length];
            for (var i = 0; i < re.Length; i++) re[i] = r.ReadSingle();
            for (var i = 0; i < im.Length; i++) im[i] = r.ReadSingle();
            for (var i = 0; i < uncertainty.Length; i++) uncertainty[i] = r.ReadSingle();
            if (!TensorPrimitives.IsFiniteAll<float>(re) || !TensorPrimitives.IsFiniteAll<float>(im) || !TensorPrimitives.IsFiniteAll<float>(uncertainty))
                return "holds values that are not finite";
            // −1 marks a bin no loudspeaker has played in yet; anything else below zero is not a variance.
            if (uncertainty.Any(p => p < 0 && p != -1f)) return "holds a negative uncertainty";
            if (stream.Position != stream.Length) return "longer than its shape says";
            re.CopyTo(_wRe, 0);
            im.CopyTo(_wIm, 0);
            uncertainty.CopyTo(_uncertainty, 0);
            return null;
        }
        catch (EndOfStreamException)
        {
            return "shorter than its shape says";
        }
    }

    /// <summary>Offsets of the reference frame <paramref name="lag"/> hops back and of its filter for mic <paramref name="m"/>.</summary>
    private (int X, int W) Spans(int m, int r, int lag)
    {
        var slot = (_newest - lag + Taps) % Taps;
        return (((r * Taps) + slot) * _bins, (((((m * _references) + r) * Taps) + lag) * _bins));
    }

    /// <summary>y += w · x, complex, per bin.</summary>
    private void ComplexMultiplyAdd(ReadOnlySpan<float> wr, ReadOnlySpan<float> wi, ReadOnlySpan<float> xr, ReadOnlySpan<float> xi, Span<float> yr, Span<float> yi)
    {
        TensorPrimitives.MultiplyAdd(wr, xr, yr, yr);
        TensorPrimitives.Multiply(wi, xi, _t1);
        TensorPrimitives.Subtract(yr, _t1, yr);
        TensorPrimitives.MultiplyAdd(wr, xi, yi, yi);
        TensorPrimitives.MultiplyAdd(wi, xr, yi, yi);
    }
}
