using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Overlap-add FFT convolution of one source signal with one impulse response per microphone.
/// Two consecutive input blocks travel as the real and imaginary parts of one complex FFT (the
/// impulse responses are real, so the two results come back apart in the real and imaginary parts).
/// </summary>
public sealed class FftConvolver
{
    private readonly int _fftSize;
    private readonly int _block;
    private readonly Complex32[][] _spectra;
    private readonly int _irLength;

    public FftConvolver(IReadOnlyList<float[]> impulseResponses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(impulseResponses.Count);
        _irLength = impulseResponses.Max(h => h.Length);
        // About four times the impulse response keeps the per-sample cost near its minimum.
        _fftSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, 4 * _irLength));
        _block = _fftSize - _irLength + 1;
        _spectra = new Complex32[impulseResponses.Count][];
        for (var m = 0; m < impulseResponses.Count; m++)
        {
            var h = new Complex32[_fftSize];
            for (var i = 0; i < impulseResponses[m].Length; i++) h[i] = new Complex32(impulseResponses[m][i], 0);
            Fourier.Forward(h, FourierOptions.Matlab);
            _spectra[m] = h;
        }
    }

    public int Channels => _spectra.Length;

    /// <summary>Length of the full convolution of an input of <paramref name="inputLength"/> samples.</summary>
    public int OutputLength(int inputLength) => inputLength + _irLength - 1;

    /// <summary>
    /// Adds <paramref name="input"/> convolved with each impulse response into <paramref name="outputs"/>
    /// (one per microphone) starting at <paramref name="offset"/>; what falls past an output's end is dropped.
    /// </summary>
    public void AddTo(ReadOnlySpan<float> input, float[][] outputs, int offset)
    {
        var z = new Complex32[_fftSize];
        var y = new Complex32[_fftSize];
        for (var start = 0; start < input.Length; start += 2 * _block)
        {
            var aLen = Math.Min(_block, input.Length - start);
            var bLen = Math.Clamp(input.Length - start - _block, 0, _block);
            Array.Clear(z);
            for (var i = 0; i < aLen; i++) z[i] = new Complex32(input[start + i], 0);
            for (var i = 0; i < bLen; i++) z[i] = new Complex32(z[i].Real, input[start + _block + i]);
            Fourier.Forward(z, FourierOptions.Matlab);
            for (var m = 0; m < _spectra.Length; m++)
            {
                var h = _spectra[m];
                for (var i = 0; i < _fftSize; i++) y[i] = z[i] * h[i];
                Fourier.Inverse(y, FourierOptions.Matlab);
                var o = outputs[m];
                Accumulate(o, offset + start, y, aLen + _irLength - 1, imaginary: false);
                if (bLen > 0) Accumulate(o, offset + start + _block, y, bLen + _irLength - 1, imaginary: true);
            }
        }
    }

    private static void Accumulate(float[] output, int at, Complex32[] y, int count, bool imaginary)
    {
        var end = Math.Min(output.Length - at, count);
        for (var i = Math.Max(0, -at); i < end; i++) output[at + i] += imaginary ? y[i].Imaginary : y[i].Real;
    }
}
