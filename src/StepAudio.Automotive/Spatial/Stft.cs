namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Short-time Fourier transform parameters shared by every analyzer and synthesizer: frame
/// length, hop, a periodic Hann analysis window and its least-squares dual synthesis window, so
/// analysis followed by synthesis reconstructs the input exactly (delayed by
/// <see cref="Latency"/>) for any hop, including 160 samples, which does not divide 512.
/// </summary>
public sealed class Stft
{
    public Stft(int frameLength = 512, int hop = 160)
    {
        if (hop <= 0 || hop > frameLength)
            throw new ArgumentOutOfRangeException(nameof(hop), hop, "hop must be in (0, frame length]");
        Fft = new Fft(frameLength);
        FrameLength = frameLength;
        Hop = hop;
        Bins = (frameLength / 2) + 1;
        AnalysisWindow = new float[frameLength];
        SynthesisWindow = new float[frameLength];
        for (var n = 0; n < frameLength; n++)
            AnalysisWindow[n] = (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * n / frameLength)));
        // Dual window: w_s(n) = w_a(n) / Σ_t w_a²(n + tH), so Σ_t w_s·w_a = 1 at every sample.
        for (var n = 0; n < frameLength; n++)
        {
            double sum = 0;
            for (var m = n % hop; m < frameLength; m += hop) sum += AnalysisWindow[m] * (double)AnalysisWindow[m];
            SynthesisWindow[n] = (float)(AnalysisWindow[n] / sum);
        }
    }

    public Fft Fft { get; }

    public int FrameLength { get; }

    public int Hop { get; }

    /// <summary>Non-negative frequency bins: frame length / 2 + 1.</summary>
    public int Bins { get; }

    public float[] AnalysisWindow { get; }

    public float[] SynthesisWindow { get; }

    /// <summary>Samples between an input sample and the same sample leaving synthesis.</summary>
    public int Latency => FrameLength - Hop;

    public double BinHz(int bin, int sampleRate) => (double)bin * sampleRate / FrameLength;
}
