namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Radix-2 FFT on split real/imaginary arrays with precomputed twiddles and bit-reversal table,
/// plus real-signal transforms that run one half-length complex FFT. Written here because
/// MathNet.Numerics' managed FFT recomputes its twiddle factors on every call and has no
/// real-input transform: see FftBenchmarks for the measurement. Allocates nothing after
/// construction; not thread-safe (one instance per processing thread).
/// </summary>
public sealed class Fft
{
    private readonly int _n;
    private readonly int[] _bitReverse;
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly Fft? _half;
    private readonly float[] _zr;
    private readonly float[] _zi;

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two ≥ 2");
        _n = size;
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        _bitReverse = new int[size];
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitReverse[i] = r;
        }
        _cos = new float[size / 2];
        _sin = new float[size / 2];
        for (var k = 0; k < size / 2; k++)
        {
            var a = -2.0 * Math.PI * k / size;
            _cos[k] = (float)Math.Cos(a);
            _sin[k] = (float)Math.Sin(a);
        }
        if (size >= 4)
        {
            _half = new Fft(size / 2);
            _zr = new float[size / 2];
            _zi = new float[size / 2];
        }
        else
        {
            _zr = [];
            _zi = [];
        }
    }

    public int Size => _n;

    /// <summary>X[k] = Σ x[n] e^{-j2πkn/N}, unscaled, in place.</summary>
    public void Forward(Span<float> re, Span<float> im) => Transform(re, im, 1f);

    /// <summary>x[n] = (1/N) Σ X[k] e^{+j2πkn/N}, in place.</summary>
    public void Inverse(Span<float> re, Span<float> im)
    {
        Transform(re, im, -1f);
        var scale = 1f / _n;
        for (var i = 0; i < _n; i++)
        {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    /// <summary>Bins 0..N/2 of the FFT of N real samples, through one N/2-point complex FFT.</summary>
    public void RealForward(ReadOnlySpan<float> x, Span<float> re, Span<float> im)
    {
        var h = _n / 2;
        for (var i = 0; i < h; i++)
        {
            _zr[i] = x[2 * i];
            _zi[i] = x[(2 * i) + 1];
        }
        _half!.Forward(_zr, _zi);
        for (var k = 0; k <= h; k++)
        {
            var a = k % h;
            var b = (h - k) % h;
            // Even and odd samples' spectra from Z[k] and conj(Z[N/2−k]).
            var er = 0.5f * (_zr[a] + _zr[b]);
            var ei = 0.5f * (_zi[a] - _zi[b]);
            var or = 0.5f * (_zi[a] + _zi[b]);
            var oi = -0.5f * (_zr[a] - _zr[b]);
            var (wr, wi) = k < h ? (_cos[k], _sin[k]) : (-1f, 0f);
            re[k] = er + ((or * wr) - (oi * wi));
            im[k] = ei + ((or * wi) + (oi * wr));
        }
    }

    /// <summary>N real samples from bins 0..N/2 of a Hermitian spectrum, through one N/2-point inverse FFT.</summary>
    public void RealInverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> x)
    {
        var h = _n / 2;
        for (var k = 0; k < h; k++)
        {
            var b = h - k;
            var er = 0.5f * (re[k] + re[b]);
            var ei = 0.5f * (im[k] - im[b]);
            var dr = 0.5f * (re[k] - re[b]);
            var di = 0.5f * (im[k] + im[b]);
            // Odd spectrum = difference × W^{-k}.
            var wr = _cos[k];
            var wi = -_sin[k];
            var or = (dr * wr) - (di * wi);
            var oi = (dr * wi) + (di * wr);
            _zr[k] = er - oi;
            _zi[k] = ei + or;
        }
        _half!.Inverse(_zr, _zi);
        for (var i = 0; i < h; i++)
        {
            x[2 * i] = _zr[i];
            x[(2 * i) + 1] = _zi[i];
        }
    }

    private unsafe void Transform(Span<float> re, Span<float> im, float sign)
    {
        if (re.Length < _n || im.Length < _n)
            throw new ArgumentException($"expected {_n} points");
        fixed (float* pr = re, pi = im, pc = _cos, ps = _sin)
        fixed (int* rev = _bitReverse)
        {
            for (var i = 0; i < _n; i++)
            {
                var j = rev[i];
                if (j > i)
                {
                    (pr[i], pr[j]) = (pr[j], pr[i]);
                    (pi[i], pi[j]) = (pi[j], pi[i]);
                }
            }
            // First stage has only the twiddle 1.
            for (var a = 0; a < _n; a += 2)
            {
                var tr = pr[a + 1];
                var ti = pi[a + 1];
                pr[a + 1] = pr[a] - tr;
                pi[a + 1] = pi[a] - ti;
                pr[a] += tr;
                pi[a] += ti;
            }
            for (var half = 2; half < _n; half <<= 1)
            {
                var step = _n / (2 * half);
                for (var k = 0; k < half; k++)
                {
                    var wr = pc[k * step];
                    var wi = sign * ps[k * step];
                    for (var a = k; a < _n; a += 2 * half)
                    {
                        var b = a + half;
                        var tr = (pr[b] * wr) - (pi[b] * wi);
                        var ti = (pr[b] * wi) + (pi[b] * wr);
                        pr[b] = pr[a] - tr;
                        pi[b] = pi[a] - ti;
                        pr[a] += tr;
                        pi[a] += ti;
                    }
                }
            }
        }
    }
}
