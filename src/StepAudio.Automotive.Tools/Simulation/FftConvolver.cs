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
    private readonly Complex32[][][] _spectra; // [source][mic][bin]

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
        _spectra = new Complex32[impulseResponses.Count][][];
        for (var k = 0; k < impulseResponses.Count; k++)
        {
            _spectra[k] = new Complex32[mics][];
            for (var m = 0; m < mics; m++)
            {
                var ir = impulseResponses[k][m];
                var h = new Complex32[_fftSize];
                for (var i = 0; i < ir.Length; i++) h[i] = new Complex32(ir[i], 0);
                Fourier.Forward(h, FourierOptions.Matlab);
                _spectra[k][m] = h;
            }
        }
    }

    public int Sources => _spectra.Length;

    public int Channels => _spectra[0].Length;

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
        if (inputs.Count != _spectra.Length) throw new ArgumentException($"expected {_spectra.Length} inputs, got {inputs.Count}", nameof(inputs));
        if (outputs.Length != Channels) throw new ArgumentException($"expected {Channels} outputs, got {outputs.Length}", nameof(outputs));
        var length = inputs.Max(x => x.Length);
        var z = new Complex32[_fftSize];
        var y = new Complex32[Channels][];
        for (var m = 0; m < y.Length; m++) y[m] = new Complex32[_fftSize];
        for (var start = 0; start < length; start += 2 * _block)
        {
            foreach (var ym in y) Array.Clear(ym);
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
                for (var m = 0; m < y.Length; m++)
                {
                    var h = _spectra[k][m];
                    var ym = y[m];
                    for (var i = 0; i < _fftSize; i++) ym[i] += z[i] * h[i];
                }
            }
            var blockLen = Math.Min(_block, length - start);
            var secondLen = Math.Clamp(length - start - _block, 0, _block);
            for (var m = 0; m < y.Length; m++)
            {
                Fourier.Inverse(y[m], FourierOptions.Matlab);
                Accumulate(outputs[m], offset + start, y[m], blockLen + _irLength - 1, imaginary: false);
                if (secondLen > 0) Accumulate(outputs[m], offset + start + _block, y[m], secondLen + _irLength - 1, imaginary: true);
            }
        }
    }

    private static void Accumulate(float[] output, int at, Complex32[] y, int count, bool imaginary)
    {
        var end = Math.Min(output.Length - at, count);
        for (var i = Math.Max(0, -at); i < end; i++) output[at + i] += imaginary ? y[i].Imaginary : y[i].Real;
    }
}
