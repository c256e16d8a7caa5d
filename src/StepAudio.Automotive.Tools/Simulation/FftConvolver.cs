using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Overlap-add FFT convolution of one or more sources, each with one impulse response per microphone;
/// the sources' contributions are summed in the frequency domain, so many sources cost one inverse
/// FFT per microphone. Two consecutive input blocks travel as the real and imaginary parts of one
/// complex FFT: the impulse responses are real, so the two results come back apart.
/// </summary>
public sealed class FftConvolver
{
    private readonly int _fftSize;
    private readonly int _block;
    private readonly int _irLength;
    // Spectra stored split into real and imaginary arrays, [source][mic][bin], so the per-bin
    // multiply-accumulate runs on whole SIMD vectors.
    private readonly float[][][] _re;
    private readonly float[][][] _im;

    /// <summary>One source heard at several microphones.</summary>
    public FftConvolver(IReadOnlyList<float[]> impulseResponses)
        : this([impulseResponses])
    {
    }

    /// <summary>Several sources, <c>impulseResponses[source][mic]</c>.</summary>
    public FftConvolver(IReadOnlyList<IReadOnlyList<float[]>> impulseResponses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(impulseResponses.Count);
        var mics = impulseResponses[0].Count;
        ArgumentOutOfRangeException.ThrowIfZero(mics);
        if (impulseResponses.Any(s => s.Count != mics)) throw new ArgumentException("every source needs one impulse response per microphone", nameof(impulseResponses));
        _irLength = impulseResponses.Max(s => s.Max(h => h.Length));
        // About four times the impulse response keeps the per-sample cost near its minimum.
        _fftSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, 4 * _irLength));
        _block = _fftSize - _irLength + 1;
        _re = new float[impulseResponses.Count][][];
        _im = new float[impulseResponses.Count][][];
        var h = new Complex32[_fftSize];
        for (var k = 0; k < impulseResponses.Count; k++)
        {
            _re[k] = new float[mics][];
            _im[k] = new float[mics][];
            for (var m = 0; m < mics; m++)
            {
                var ir = impulseResponses[k][m];
                Array.Clear(h);
                for (var i = 0; i < ir.Length; i++) h[i] = new Complex32(ir[i], 0);
                Fourier.Forward(h, FourierOptions.Matlab);
                (_re[k][m], _im[k][m]) = Split(h);
            }
        }
    }

    public int Sources => _re.Length;

    public int Channels => _re[0].Length;

    /// <summary>Length of the full convolution of an input of <paramref name="inputLength"/> samples.</summary>
    public int OutputLength(int inputLength) => inputLength + _irLength - 1;

    /// <summary>
    /// Adds the single source's <paramref name="input"/> convolved with each impulse response into
    /// <paramref name="outputs"/> (one per microphone) from <paramref name="offset"/> on; what falls
    /// past an output's end is dropped.
    /// </summary>
    public void AddTo(float[] input, float[][] outputs, int offset) => AddTo([input], outputs, offset);

    /// <summary>Adds Σ_source input[source] * h[source][mic] into each microphone's output from <paramref name="offset"/> on.</summary>
    public void AddTo(IReadOnlyList<float[]> inputs, float[][] outputs, int offset)
    {
        if (inputs.Count != Sources) throw new ArgumentException($"expected {Sources} inputs, got {inputs.Count}", nameof(inputs));
        if (outputs.Length != Channels) throw new ArgumentException($"expected {Channels} outputs, got {outputs.Length}", nameof(outputs));
        var length = inputs.Max(x => x.Length);
        var z = new Complex32[_fftSize];
        var zr = new float[_fftSize];
        var zi = new float[_fftSize];
        var yr = new float[Channels][];
        var yi = new float[Channels][];
        for (var m = 0; m < Channels; m++)
        {
            yr[m] = new float[_fftSize];
            yi[m] = new float[_fftSize];
        }
        for (var start = 0; start < length; start += 2 * _block)
        {
            for (var m = 0; m < Channels; m++)
            {
                Array.Clear(yr[m]);
                Array.Clear(yi[m]);
            }
            for (var k = 0; k < inputs.Count; k++)
            {
                var x = inputs[k];
                var aLen = Math.Clamp(x.Length - start, 0, _block);
                var bLen = Math.Clamp(x.Length - start - _block, 0, _block);
                if (aLen == 0) continue;
                Array.Clear(z);
                for (var i = 0; i < aLen; i++) z[i] = new Complex32(x[start + i], 0);
                for (var i = 0; i < bLen; i++) z[i] = new Complex32(z[i].Real, x[start + _block + i]);
                Fourier.Forward(z, FourierOptions.Matlab);
                for (var i = 0; i < _fftSize; i++)
                {
                    zr[i] = z[i].Real;
                    zi[i] = z[i].Imaginary;
                }
                for (var m = 0; m < Channels; m++) MultiplyAccumulate(zr, zi, _re[k][m], _im[k][m], yr[m], yi[m]);
            }
            var blockLen = Math.Min(_block, length - start);
            var secondLen = Math.Clamp(length - start - _block, 0, _block);
            for (var m = 0; m < Channels; m++)
            {
                for (var i = 0; i < _fftSize; i++) z[i] = new Complex32(yr[m][i], yi[m][i]);
                Fourier.Inverse(z, FourierOptions.Matlab);
                Accumulate(outputs[m], offset + start, z, blockLen + _irLength - 1, imaginary: false);
                if (secondLen > 0) Accumulate(outputs[m], offset + start + _block, z, secondLen + _irLength - 1, imaginary: true);
            }
        }
    }

    /// <summary>y += a · b for complex vectors in split form.</summary>
    private static void MultiplyAccumulate(float[] ar, float[] ai, float[] br, float[] bi, float[] yr, float[] yi)
    {
        var i = 0;
        var w = Vector<float>.Count;
        for (; i <= ar.Length - w; i += w)
        {
            var xr = new Vector<float>(ar, i);
            var xi = new Vector<float>(ai, i);
            var hr = new Vector<float>(br, i);
            var hi = new Vector<float>(bi, i);
            (new Vector<float>(yr, i) + (xr * hr) - (xi * hi)).CopyTo(yr, i);
            (new Vector<float>(yi, i) + (xr * hi) + (xi * hr)).CopyTo(yi, i);
        }
        for (; i < ar.Length; i++)
        {
            yr[i] += (ar[i] * br[i]) - (ai[i] * bi[i]);
            yi[i] += (ar[i] * bi[i]) + (ai[i] * br[i]);
        }
    }

    private static (float[] Re, float[] Im) Split(Complex32[] x)
    {
        var re = new float[x.Length];
        var im = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            re[i] = x[i].Real;
            im[i] = x[i].Imaginary;
        }
        return (re, im);
    }

    private static void Accumulate(float[] output, int at, Complex32[] y, int count, bool imaginary)
    {
        var end = Math.Min(output.Length - at, count);
        for (var i = Math.Max(0, -at); i < end; i++) output[at + i] += imaginary ? y[i].Imaginary : y[i].Real;
    }
}
