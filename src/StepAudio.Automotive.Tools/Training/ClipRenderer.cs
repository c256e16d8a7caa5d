using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// Renders a <see cref="ClipSpec"/>: each part synthesized (trimmed to its speech, levelled), laid out
/// dry, convolved with a cabin response picked by the clip's seed (a seat, or a door loudspeaker for
/// radio), then the cabin's road noise at that microphone, with a random share of broadband fan noise,
/// scaled to the clip's SNR against the speech as heard at the microphone.
/// </summary>
public sealed class ClipRenderer(TextToSpeech tts, CabinAcoustics acoustics)
{
    private const double SpeechLevelDbfs = CabinScene.DefaultSpeechLevelDbfs;
    private const double SensorNoiseDbfs = CabinScene.DefaultSensorNoiseDbfs;
    private const int Fs = CabinProfile.PipelineSampleRate;

    public RenderedClip Render(ClipSpec spec)
    {
        var rng = new Random(spec.Seed);
        var response = spec.Radio ? acoustics.PickLoudspeaker(rng) : acoustics.PickSeat(rng);
        var level = Math.Pow(10, (SpeechLevelDbfs + spec.GainDb) / 20);

        var parts = new List<float[]>();
        foreach (var text in spec.Texts)
        {
            var dry = SpeedPerturbation.Resample(CabinSimulator.Trim(tts.Render(text, spec.Voice, spec.Rate, spec.Pitch)), spec.Speed);
            var rms = Math.Sqrt(dry.Sum(v => (double)v * v) / Math.Max(1, dry.Length));
            if (rms > 0)
                for (var i = 0; i < dry.Length; i++) dry[i] = (float)(dry[i] * level / rms);
            parts.Add(dry);
        }

        var lead = (int)(spec.LeadSeconds * Fs);
        var gap = (int)(spec.GapSeconds * Fs);
        var tail = (int)(spec.TailSeconds * Fs);
        var length = lead + parts.Sum(p => p.Length) + (Math.Max(0, parts.Count - 1) * gap) + tail;
        var signal = new float[length];
        int pos = lead, targetStart = lead, targetEnd = lead;
        foreach (var p in parts)
        {
            targetStart = pos;
            p.CopyTo(signal, pos);
            pos += p.Length;
            targetEnd = pos;
            pos += gap;
        }

        var wet = new float[1][];
        wet[0] = new float[length + response.ImpulseResponse.Length - 1];
        if (parts.Count > 0) new FftConvolver([response.ImpulseResponse]).AddTo(signal, wet, 0);
        var audio = wet[0].AsSpan(0, length).ToArray();

        // Speech power as heard, over the parts; for noise alone the nominal level through this response.
        var irEnergy = response.ImpulseResponse.Sum(v => (double)v * v);
        var speechPower = parts.Count > 0 ? MeanPower(audio, lead, pos - gap) : level * level * irEnergy;
        if (spec.Interference is { } over) AddInterference(over, spec.Seed, level, audio);
        var noise = new float[length];
        acoustics.Noise(response, rng, noise);
        var fanShare = rng.NextDouble() * 0.5;
        var fan = FanNoise(length, rng);
        Scale(noise, Math.Sqrt((1 - fanShare) / MeanPower(noise, 0, length)));
        Scale(fan, Math.Sqrt(fanShare / Math.Max(1e-20, MeanPower(fan, 0, length))));
        var target = speechPower / Math.Pow(10, spec.SnrDb / 10);
        var g = (float)Math.Sqrt(target);
        var sensor = Math.Pow(10, SensorNoiseDbfs / 20);
        for (var i = 0; i < length; i++)
            audio[i] += (g * (noise[i] + fan[i])) + (float)(sensor * Gaussian(rng));
        return new RenderedClip(audio, targetStart, targetEnd);
    }

    /// <summary>The interfering speech, levelled against the target and convolved with another seat's (or a loudspeaker's) response; its own generator, so the clip's other draws are unchanged.</summary>
    private void AddInterference(Interference over, int seed, double level, float[] audio)
    {
        var rng = new Random(unchecked((seed * 31) + 7));
        var response = over.Radio ? acoustics.PickLoudspeaker(rng) : acoustics.PickSeat(rng);
        var dry = CabinSimulator.Trim(tts.Render(over.Text, over.Voice, 1, 1));
        var rms = Math.Sqrt(dry.Sum(v => (double)v * v) / Math.Max(1, dry.Length));
        if (rms <= 0) return;
        var gain = level * Math.Pow(10, over.RelativeDb / 20) / rms;
        var start = Math.Clamp((int)(over.StartSeconds * Fs), 0, audio.Length - 1);
        var signal = new float[audio.Length];
        for (var i = 0; i < dry.Length && start + i < signal.Length; i++) signal[start + i] = (float)(dry[i] * gain);
        var wet = new float[1][];
        wet[0] = new float[signal.Length + response.ImpulseResponse.Length - 1];
        new FftConvolver([response.ImpulseResponse]).AddTo(signal, wet, 0);
        for (var i = 0; i < audio.Length; i++) audio[i] += wet[0][i];
    }

    /// <summary>Broadband blower noise: white through a one-pole low-pass at 2.5 kHz.</summary>
    private static float[] FanNoise(int length, Random rng)
    {
        var x = new float[length];
        var a = Math.Exp(-2 * Math.PI * 2500.0 / Fs);
        double y = 0;
        for (var i = 0; i < length; i++)
        {
            y = (a * y) + ((1 - a) * Gaussian(rng));
            x[i] = (float)y;
        }
        return x;
    }

    private static double MeanPower(float[] x, int from, int to)
    {
        double acc = 0;
        for (var i = from; i < to; i++) acc += x[i] * (double)x[i];
        return acc / Math.Max(1, to - from);
    }

    private static void Scale(float[] x, double g)
    {
        for (var i = 0; i < x.Length; i++) x[i] = (float)(x[i] * g);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
