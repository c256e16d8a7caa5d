using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Shoebox image-source model (Allen and Berkley) of a cabin interior: every wall reflects with one
/// frequency-independent pressure coefficient, started from Eyring's formula for the target RT60 and
/// corrected so the simulated decay has that RT60. Reflections go up to the order where β^n reaches
/// -60 dB and for one RT60 after the direct sound. Each image contributes a 1/r-attenuated,
/// fractionally delayed impulse (Hann-windowed sinc), so direct-path delays between microphones are
/// exact to a small fraction of a sample; an 80 Hz high-pass removes the image sum's DC build-up.
/// Impulse responses are in absolute time from emission: sample 0 is the instant the source emits,
/// and a source 1 m from a microphone arrives with gain 1 (in band). Deterministic.
/// </summary>
public sealed class ImageSourceRoom
{
    public const double DefaultSpeedOfSound = 343.0;

    /// <summary>Half-width of the windowed-sinc fractional delay, in samples (the kernel has 2·W taps).</summary>
    public const int SincHalfWidth = 16;

    /// <summary>Band edge of the fractional-delay kernel as a fraction of Nyquist (7.2 kHz at 16 kHz).</summary>
    public const double KernelCutoff = 0.9;

    /// <summary>Images are kept until they are this far (dB) below the direct sound's decay: the RT60 range.</summary>
    private const double DecayRangeDb = 60.0;

    /// <summary>Cut-off of the high-pass that removes the image sum's DC build-up.</summary>
    public const double HighPassHz = 80.0;

    private const int MaxCachedResponses = 1024;

    private readonly ConcurrentDictionary<string, float[][]> _cache = new(StringComparer.Ordinal);
    private readonly Point3 _min;
    private readonly Point3 _size;

    public ImageSourceRoom(Point3 min, Point3 max, double rt60Seconds, int sampleRate = CabinProfile.PipelineSampleRate, double speedOfSound = DefaultSpeedOfSound)
    {
        if (max.X <= min.X || max.Y <= min.Y || max.Z <= min.Z) throw new ArgumentException("max must exceed min on every axis", nameof(max));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rt60Seconds, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        _min = min;
        _size = max - min;
        Rt60Seconds = rt60Seconds;
        SampleRate = sampleRate;
        SpeedOfSound = speedOfSound;

        var volume = _size.X * _size.Y * _size.Z;
        var surface = 2 * ((_size.X * _size.Y) + (_size.Y * _size.Z) + (_size.X * _size.Z));
        // Eyring: RT60 = 24 ln10 V / (-c S ln(1 - α)); the pressure reflection coefficient is √(1 - α).
        var eyringBeta = Math.Exp(-12 * Math.Log(10) * volume / (speedOfSound * surface * rt60Seconds));
        // Reverberation is kept for one RT60 after the direct sound.
        MaxDistance = speedOfSound * rt60Seconds;
        EyringReflectionCoefficient = eyringBeta;
        // A shoebox's image set is not a diffuse field: sound bouncing along the long axis meets fewer
        // walls, so with Eyring's coefficient the decay comes out ~1.5x too long. Correct the coefficient
        // until the image set's own Schroeder decay (T20) matches the target.
        ReflectionCoefficient = CalibrateReflection(eyringBeta);
        Absorption = 1 - (ReflectionCoefficient * ReflectionCoefficient);
        MaxOrder = OrderFor(ReflectionCoefficient);
    }

    public ImageSourceRoom(CabinInterior interior, int sampleRate = CabinProfile.PipelineSampleRate, double? rt60Override = null)
        : this(interior.Min, interior.Max, rt60Override ?? interior.Rt60Seconds, sampleRate)
    {
    }

    public double Rt60Seconds { get; }
    public int SampleRate { get; }
    public double SpeedOfSound { get; }

    /// <summary>Pressure reflection coefficient that Eyring's formula gives for the target RT60, before the correction.</summary>
    public double EyringReflectionCoefficient { get; }

    /// <summary>Energy absorption coefficient of every wall, 1 - β².</summary>
    public double Absorption { get; }

    /// <summary>Pressure reflection coefficient of every wall, calibrated so the simulated decay has the target RT60.</summary>
    public double ReflectionCoefficient { get; }

    /// <summary>Highest reflection order simulated: β^order reaches -60 dB.</summary>
    public int MaxOrder { get; }

    /// <summary>Images farther than the direct path plus this distance (c · RT60) are dropped.</summary>
    public double MaxDistance { get; }

    /// <summary>Direct-path propagation delay from a source to a point, in samples (fractional).</summary>
    public double DelaySamples(Point3 source, Point3 mic) => source.DistanceTo(mic) / SpeedOfSound * SampleRate;

    /// <summary>
    /// Impulse responses from <paramref name="source"/> to each microphone, all the same length.
    /// <paramref name="maxOrder"/> limits the reflections (0: direct path only, an anechoic cabin).
    /// </summary>
    public float[][] ImpulseResponses(Point3 source, IReadOnlyList<Point3> mics, int? maxOrder = null)
    {
        // Scenes rendered with one room reuse positions (seats, loudspeakers, the seeded noise
        // sources): keep what was computed, hand out copies.
        var key = string.Create(CultureInfo.InvariantCulture, $"{source.X:R},{source.Y:R},{source.Z:R}|{maxOrder}|{string.Join(";", mics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.X:R},{m.Y:R},{m.Z:R}")))}");
        if (!_cache.TryGetValue(key, out var irs))
        {
            var length = LengthFor(mics.Max(m => source.DistanceTo(m)));
            irs = new float[mics.Count][];
            for (var m = 0; m < mics.Count; m++) irs[m] = ImpulseResponse(source, mics[m], length, maxOrder ?? MaxOrder);
            if (_cache.Count < MaxCachedResponses) _cache.TryAdd(key, irs);
        }
        return irs.Select(h => (float[])h.Clone()).ToArray();
    }

    /// <summary>Impulse response from a source to one microphone.</summary>
    public float[] ImpulseResponse(Point3 source, Point3 mic, int? maxOrder = null) =>
        ImpulseResponse(source, mic, LengthFor(source.DistanceTo(mic)), maxOrder ?? MaxOrder);

    private int LengthFor(double directDistance) =>
        (int)Math.Ceiling((directDistance + MaxDistance) / SpeedOfSound * SampleRate) + SincHalfWidth + 1;

    private float[] ImpulseResponse(Point3 source, Point3 mic, int length, int maxOrder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOrder);
        maxOrder = Math.Min(maxOrder, MaxOrder);
        CheckInside(source, nameof(source));
        CheckInside(mic, nameof(mic));
        var acc = new double[length];
        var rate = SampleRate / SpeedOfSound;
        var betaPow = Powers(ReflectionCoefficient, MaxOrder);
        var maxDist = source.DistanceTo(mic) + MaxDistance;
        var maxDist2 = maxDist * maxDist;
        var s = source - _min;
        var r = mic - _min;
        var nx = (int)Math.Ceiling(maxDist / (2 * _size.X)) + 1;
        var ny = (int)Math.Ceiling(maxDist / (2 * _size.Y)) + 1;
        // Same enumeration as ForEachImage, inlined, with the z range solved for instead of scanned:
        // this loop is where the simulator spends its time.
        for (var px = 0; px < 2; px++)
            for (var ix = -nx; ix <= nx; ix++)
            {
                var dx = ((1 - (2 * px)) * s.X) + (2 * ix * _size.X) - r.X;
                var ox = Math.Abs(ix - px) + Math.Abs(ix);
                if (ox > maxOrder || dx * dx > maxDist2) continue;
                for (var py = 0; py < 2; py++)
                    for (var iy = -ny; iy <= ny; iy++)
                    {
                        var dy = ((1 - (2 * py)) * s.Y) + (2 * iy * _size.Y) - r.Y;
                        var oxy = ox + Math.Abs(iy - py) + Math.Abs(iy);
                        var dxy2 = (dx * dx) + (dy * dy);
                        if (oxy > maxOrder || dxy2 > maxDist2) continue;
                        var reach = Math.Sqrt(maxDist2 - dxy2);
                        for (var pz = 0; pz < 2; pz++)
                        {
                            var c0 = ((1 - (2 * pz)) * s.Z) - r.Z;
                            var izLo = (int)Math.Ceiling((-reach - c0) / (2 * _size.Z));
                            var izHi = (int)Math.Floor((reach - c0) / (2 * _size.Z));
                            for (var iz = izLo; iz <= izHi; iz++)
                            {
                                var order = oxy + Math.Abs(iz - pz) + Math.Abs(iz);
                                if (order > maxOrder) continue;
                                var dz = c0 + (2 * iz * _size.Z);
                                var d = Math.Sqrt(dxy2 + (dz * dz));
                                // The direct path is computed exactly; reflections use the tabulated kernel.
                                if (order == 0) AddFractionalImpulse(acc, d * rate, 1 / Math.Max(d, 0.01));
                                else AddTabulatedImpulse(acc, d * rate, betaPow[order] / Math.Max(d, 0.01));
                            }
                        }
                    }
            }
        HighPass(acc, HighPassHz, SampleRate);
        var ir = new float[length];
        for (var i = 0; i < length; i++) ir[i] = (float)acc[i];
        return ir;
    }

    /// <summary>
    /// Second-order Butterworth high-pass, in place. With every reflection positive, the image sum
    /// builds up a large DC/infrasonic component that no real cabin (or MEMS microphone) has, and
    /// that would dominate the decay; Allen and Berkley filter it out the same way.
    /// </summary>
    private static void HighPass(Span<double> x, double cutoffHz, int sampleRate)
    {
        var k = Math.Tan(Math.PI * cutoffHz / sampleRate);
        var q = Math.Sqrt(0.5);
        var norm = 1 / (1 + (k / q) + (k * k));
        var b0 = norm;
        var b1 = -2 * norm;
        var b2 = norm;
        var a1 = 2 * ((k * k) - 1) * norm;
        var a2 = (1 - (k / q) + (k * k)) * norm;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var x0 = x[i];
            var y0 = (b0 * x0) + (b1 * x1) + (b2 * x2) - (a1 * y1) - (a2 * y2);
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = y0;
            x[i] = y0;
        }
    }

    /// <summary>Calls <paramref name="visit"/>(distance, reflection order) for every image within reach.</summary>
    private void ForEachImage(Point3 source, Point3 mic, double maxDist, int maxOrder, Action<double, int> visit)
    {
        var s = source - _min;
        var r = mic - _min;
        var nx = (int)Math.Ceiling(maxDist / (2 * _size.X)) + 1;
        var ny = (int)Math.Ceiling(maxDist / (2 * _size.Y)) + 1;
        var nz = (int)Math.Ceiling(maxDist / (2 * _size.Z)) + 1;
        var maxDist2 = maxDist * maxDist;
        for (var px = 0; px < 2; px++)
            for (var ix = -nx; ix <= nx; ix++)
            {
                var dx = ((1 - (2 * px)) * s.X) + (2 * ix * _size.X) - r.X;
                var ox = Math.Abs(ix - px) + Math.Abs(ix);
                if (ox > maxOrder || dx * dx > maxDist2) continue;
                for (var py = 0; py < 2; py++)
                    for (var iy = -ny; iy <= ny; iy++)
                    {
                        var dy = ((1 - (2 * py)) * s.Y) + (2 * iy * _size.Y) - r.Y;
                        var oxy = ox + Math.Abs(iy - py) + Math.Abs(iy);
                        var dxy2 = (dx * dx) + (dy * dy);
                        if (oxy > maxOrder || dxy2 > maxDist2) continue;
                        for (var pz = 0; pz < 2; pz++)
                            for (var iz = -nz; iz <= nz; iz++)
                            {
                                var order = oxy + Math.Abs(iz - pz) + Math.Abs(iz);
                                if (order > maxOrder) continue;
                                var dz = ((1 - (2 * pz)) * s.Z) + (2 * iz * _size.Z) - r.Z;
                                var d2 = dxy2 + (dz * dz);
                                if (d2 > maxDist2) continue;
                                visit(Math.Sqrt(d2), order);
                            }
                    }
            }
    }

    /// <summary>
    /// Finds the reflection coefficient whose image set decays with the target T20 (Schroeder
    /// integration of the energy arriving per sample) between two reference points in the box.
    /// The decay only depends on β through β^(2·order), so the images are enumerated once.
    /// </summary>
    private double CalibrateReflection(double eyringBeta)
    {
        var src = _min + new Point3(_size.X * 0.3, _size.Y * 0.35, _size.Z * 0.4);
        var mic = _min + new Point3(_size.X * 0.7, _size.Y * 0.6, _size.Z * 0.65);
        var maxOrder = OrderFor(eyringBeta);
        var maxDist = src.DistanceTo(mic) + MaxDistance;
        var bins = (int)Math.Ceiling(maxDist / SpeedOfSound * SampleRate) + 1;
        var energy = new double[maxOrder + 1, bins];
        ForEachImage(src, mic, maxDist, maxOrder, (d, order) =>
            energy[order, Math.Min(bins - 1, (int)(d / SpeedOfSound * SampleRate))] += 1 / (d * d));

        var curve = new double[bins];
        double T20(double beta)
        {
            var top = OrderFor(beta);
            Array.Clear(curve);
            for (var o = 0; o <= Math.Min(top, maxOrder); o++)
            {
                var g = Math.Pow(beta, 2 * o);
                for (var b = 0; b < bins; b++) curve[b] += g * energy[o, b];
            }
            return SchroederDecayTime(curve, SampleRate, -5, -25);
        }

        if (T20(eyringBeta) <= Rt60Seconds) return eyringBeta;
        double lo = 0.05, hi = eyringBeta;
        for (var i = 0; i < 40; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (T20(mid) > Rt60Seconds) hi = mid;
            else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// Reverberation time from an energy-per-sample curve: Schroeder backward integration, a least-squares
    /// line between <paramref name="fromDb"/> and <paramref name="toDb"/>, extrapolated to -60 dB.
    /// Pass squared impulse-response samples to measure an impulse response.
    /// </summary>
    public static double SchroederDecayTime(ReadOnlySpan<double> energyPerSample, int sampleRate, double fromDb, double toDb)
    {
        var n = energyPerSample.Length;
        var edc = new double[n];
        double acc = 0;
        for (var i = n - 1; i >= 0; i--)
        {
            acc += energyPerSample[i];
            edc[i] = acc;
        }
        if (acc <= 0) return 0;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var db = 10 * Math.Log10(Math.Max(edc[i], 1e-300) / acc);
            if (db > fromDb) continue;
            if (db < toDb) break;
            double x = (double)i / sampleRate;
            sx += x;
            sy += db;
            sxx += x * x;
            sxy += x * db;
            count++;
        }
        if (count < 2) return 0;
        var slope = ((count * sxy) - (sx * sy)) / ((count * sxx) - (sx * sx));
        return slope < 0 ? -60 / slope : double.PositiveInfinity;
    }

    private static int OrderFor(double beta) =>
        (int)Math.Ceiling(DecayRangeDb / (-20 * Math.Log10(Math.Clamp(beta, 1e-9, 0.999999))));

    private static double[] Powers(double beta, int maxOrder)
    {
        var p = new double[maxOrder + 1];
        p[0] = 1;
        for (var i = 1; i <= maxOrder; i++) p[i] = p[i - 1] * beta;
        return p;
    }

    /// <summary>The windowed-sinc kernel at <see cref="TablePhases"/> fractional delays: row p is for frac = p / TablePhases.</summary>
    private static readonly double[] s_kernelTable = BuildKernelTable();

    private const int TablePhases = 512;

    private static double[] BuildKernelTable()
    {
        var table = new double[(TablePhases + 1) * 2 * SincHalfWidth];
        var row = new double[2 * SincHalfWidth + 1];
        for (var p = 0; p <= TablePhases; p++)
        {
            // Delay W - 1 + frac puts taps 0..2W-1 at j = 1-W..W around the delay.
            Array.Clear(row);
            AddFractionalImpulse(row, SincHalfWidth - 1 + ((double)p / TablePhases), 1.0);
            Array.Copy(row, 0, table, p * 2 * SincHalfWidth, 2 * SincHalfWidth);
        }
        return table;
    }

    /// <summary>As <see cref="AddFractionalImpulse"/>, with the fractional delay rounded to 1/512 sample.</summary>
    private static void AddTabulatedImpulse(Span<double> acc, double delay, double gain)
    {
        var k0 = (int)Math.Floor(delay);
        var p = (int)Math.Round((delay - k0) * TablePhases);
        var row = s_kernelTable.AsSpan(p * 2 * SincHalfWidth, 2 * SincHalfWidth);
        var first = k0 - SincHalfWidth + 1;
        if (first >= 0 && first + row.Length <= acc.Length)
        {
            var dst = acc.Slice(first, row.Length);
            var g = new Vector<double>(gain);
            var w = Vector<double>.Count;
            var j = 0;
            for (; j <= row.Length - w; j += w)
                (new Vector<double>(dst[j..]) + (g * new Vector<double>(row[j..]))).CopyTo(dst[j..]);
            for (; j < row.Length; j++) dst[j] += gain * row[j];
            return;
        }
        for (var j = 0; j < row.Length; j++)
            if ((uint)(first + j) < (uint)acc.Length) acc[first + j] += gain * row[j];
    }

    /// <summary>
    /// Adds <paramref name="gain"/>·δ(n - <paramref name="delay"/>) band-limited by a Hann-windowed sinc
    /// low-pass at <see cref="KernelCutoff"/> of Nyquist: the margin keeps the window's spectral spread
    /// below Nyquist, so the sampled kernel does not alias and its delay is exact at every fraction.
    /// </summary>
    internal static void AddFractionalImpulse(Span<double> acc, double delay, double gain)
    {
        var k0 = (int)Math.Floor(delay);
        var frac = delay - k0;
        // t = j - frac for j = 1-W..W; the sinc's and the window's phases advance by fixed angles per
        // tap, so one image costs a few trig calls, not 2W.
        const int w = SincHalfWidth;
        const double fc = KernelCutoff;
        var t0 = 1 - w - frac;
        double ws = Math.Cos(Math.PI * t0 / w), wsn = Math.Sin(Math.PI * t0 / w);
        double cw = Math.Cos(Math.PI / w), sw = Math.Sin(Math.PI / w);
        double ss = Math.Sin(Math.PI * fc * t0), sc = Math.Cos(Math.PI * fc * t0);
        double cf = Math.Cos(Math.PI * fc), sf = Math.Sin(Math.PI * fc);
        for (var j = 1 - w; j <= w; j++)
        {
            var k = k0 + j;
            if ((uint)k < (uint)acc.Length)
            {
                var t = j - frac;
                var sinc = Math.Abs(t) < 1e-9 ? fc : ss / (Math.PI * t);
                acc[k] += gain * 0.5 * (1 + ws) * sinc;
            }
            (ws, wsn) = ((ws * cw) - (wsn * sw), (wsn * cw) + (ws * sw));
            (ss, sc) = ((ss * cf) + (sc * sf), (sc * cf) - (ss * sf));
        }
    }

    private void CheckInside(Point3 p, string name)
    {
        var q = p - _min;
        if (q.X < 0 || q.Y < 0 || q.Z < 0 || q.X > _size.X || q.Y > _size.Y || q.Z > _size.Z)
            throw new ArgumentOutOfRangeException(name, p, "point lies outside the room");
    }
}
