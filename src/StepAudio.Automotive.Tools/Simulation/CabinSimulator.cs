using System.Collections.Concurrent;
using System.Globalization;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Renders a <see cref="CabinScene"/> through the cabin's image-source room: each utterance is
/// synthesized (or taken as given), trimmed to its speech, levelled, placed at its mouth or
/// loudspeaker and convolved with the room's impulse responses to every microphone; the diffuse
/// noise is scaled to the scene's SNR against the talkers' speech at the microphones.
/// </summary>
public sealed class CabinSimulator
{
    private const int FrameSamples = 160;           // 10 ms frames for finding where speech starts and ends
    private const double SilenceBelowPeakDb = -40;  // a frame this far below the loudest frame is silence
    private const double PeakCeiling = 0.98;

    private readonly TextToSpeech _tts;

    // One room per interior and RT60, so a simulator rendering many scenes of one cabin computes each
    // impulse response once.
    private readonly ConcurrentDictionary<(CabinInterior Interior, double Rt60), ImageSourceRoom> _rooms = new();

    public CabinSimulator(TextToSpeech? tts = null)
    {
        _tts = tts ?? new TextToSpeech();
    }

    public SceneRender Render(CabinScene scene)
    {
        var cabin = scene.Cabin;
        var interior = cabin.Interior ?? throw new InvalidInputException(cabin.Name, "interior: the simulator needs the cabin's interior box and RT60");
        var fs = CabinProfile.PipelineSampleRate;
        var room = _rooms.GetOrAdd((interior, scene.Rt60Seconds ?? interior.Rt60Seconds), k => new ImageSourceRoom(k.Interior, fs, k.Rt60));
        var frames = (int)Math.Round(scene.DurationSeconds * fs);
        var mics = cabin.Mics;

        var utterances = new List<RenderedUtterance>();
        for (var i = 0; i < scene.Events.Count; i++)
            utterances.Add(RenderEvent(scene, i, room, frames));

        var mix = NewChannels(mics.Count, frames);
        foreach (var u in utterances) AddImage(mix, u);

        // Everything that is not an utterance: the microphones' self-noise, then the road noise field
        // scaled so that the two together sit the scene's SNR below the talkers' speech.
        var noise = NewChannels(mics.Count, frames);
        if (scene.SensorNoiseDbfs is { } sensorDbfs)
        {
            var rms = Math.Pow(10, sensorDbfs / 20);
            for (var m = 0; m < mics.Count; m++) WhiteNoise(noise[m], rms, scene.Seed + (104729 * (m + 1)));
        }
        double? snr = null;
        if (scene.Noise is { } n)
        {
            var field = DiffuseNoiseField.Render(room, interior.Min, interior.Max, mics, frames, n.Sources, scene.Seed);
            var speechPower = SpeechPower(utterances, frames, mics.Count, scene.SpeechLevelDbfs);
            var target = speechPower / Math.Pow(10, n.SnrDb / 10);
            var sensorPower = MeanPower(noise, 0, frames);
            if (target <= sensorPower)
                throw new InvalidInputException("noise.snr", string.Create(CultureInfo.InvariantCulture,
                    $"{n.SnrDb} dB cannot be reached: the microphones' self-noise alone is {10 * Math.Log10(speechPower / sensorPower):0.#} dB below the speech (lower sensorNoise)"));
            var g = (float)Math.Sqrt((target - sensorPower) / MeanPower(field, 0, frames));
            for (var m = 0; m < mics.Count; m++)
                for (var t = 0; t < frames; t++) noise[m][t] += field[m][t] * g;
            snr = n.SnrDb;
        }
        for (var m = 0; m < mics.Count; m++)
            for (var t = 0; t < frames; t++) mix[m][t] += noise[m][t];

        // Keep the recording below full scale: scale everything alike, so the SNR and levels between
        // sources stay what the scene asked for.
        var peak = 0f;
        foreach (var ch in mix)
            foreach (var v in ch) peak = Math.Max(peak, Math.Abs(v));
        var gain = peak > PeakCeiling ? PeakCeiling / peak : 1.0;
        if (gain < 1)
        {
            foreach (var ch in mix.Concat(noise).Concat(utterances.SelectMany(u => u.Image)))
                for (var t = 0; t < ch.Length; t++) ch[t] = (float)(ch[t] * gain);
        }

        return new SceneRender
        {
            Scene = scene,
            SampleRate = fs,
            Mix = mix,
            Noise = noise,
            Utterances = utterances,
            Room = room,
            OutputGain = gain,
            SnrDb = snr,
        };
    }

    /// <summary>
    /// A dry 16 kHz signal emitted at <paramref name="position"/> as heard at each of <paramref name="mics"/>,
    /// from emission time 0 (the full convolution: signal length plus the impulse response).
    /// <paramref name="maxOrder"/> 0 gives the direct path alone: the reference for SI-SDR, aligned
    /// with an utterance's <see cref="RenderedUtterance.Image"/> when rendered from its
    /// <see cref="RenderedUtterance.Dry"/> signal in <see cref="SceneRender.Room"/> (then scale by
    /// <see cref="SceneRender.OutputGain"/>).
    /// </summary>
    public static float[][] RenderSource(ImageSourceRoom room, float[] signal, Point3 position, IReadOnlyList<Point3> mics, int? maxOrder = null)
    {
        var conv = new FftConvolver(room.ImpulseResponses(position, mics, maxOrder));
        var outputs = NewChannels(mics.Count, conv.OutputLength(signal.Length));
        conv.AddTo(signal, outputs, 0);
        return outputs;
    }

    private RenderedUtterance RenderEvent(CabinScene scene, int index, ImageSourceRoom room, int frames)
    {
        var e = scene.Events[index];
        var cabin = scene.Cabin;
        var fs = CabinProfile.PipelineSampleRate;
        Point3 position = e.Kind == SceneSourceKind.Talker
            ? (cabin.Zones.FirstOrDefault(z => z.Name == e.Source) ?? throw new InvalidInputException($"events[{index}].zone", $"'{e.Source}' is not a zone of {cabin.Name}")).Position + e.Offset
            : (cabin.Loudspeakers.FirstOrDefault(z => z.Name == e.Source) ?? throw new InvalidInputException($"events[{index}].loudspeaker", $"'{e.Source}' is not a loudspeaker of {cabin.Name}")).Position;

        float[] raw;
        if (e.Signal is not null)
        {
            raw = e.Signal;
        }
        else if (e.AudioPath is not null)
        {
            raw = TextToSpeech.LoadMono16k(e.AudioPath);
        }
        else
        {
            try
            {
                raw = _tts.Render(e.Text, e.Voice, e.Rate, e.Pitch);
            }
            catch (InvalidInputException x)
            {
                throw new InvalidInputException($"events[{index}].voice", x.Problem, x);
            }
        }
        var dry = Trim(raw);
        var rms = Math.Sqrt(dry.Sum(v => (double)v * v) / Math.Max(1, dry.Length));
        var level = Math.Pow(10, (scene.SpeechLevelDbfs + e.GainDb) / 20);
        if (rms > 0)
            for (var i = 0; i < dry.Length; i++) dry[i] = (float)(dry[i] * level / rms);

        var start = (int)Math.Round(e.StartSeconds * fs);
        var image = RenderSource(room, dry, position, cabin.Mics);
        // The recording ends where the scene does: cut what would run past it.
        for (var m = 0; m < image.Length; m++)
            if (start + image[m].Length > frames) image[m] = image[m][..Math.Max(0, frames - start)];

        var rel = position - cabin.ArrayCentre;
        var end = Math.Min((double)(start + dry.Length) / fs, (double)frames / fs);
        return new RenderedUtterance(index, e, position, rel.AzimuthDeg, rel.ElevationDeg, rel.Length,
            (double)start / fs, end, start, dry, image);
    }

    /// <summary>The signal from its first to its last frame within 40 dB of its loudest: the synthesizers pad with silence.</summary>
    internal static float[] Trim(float[] x)
    {
        var count = x.Length / FrameSamples;
        if (count == 0) return (float[])x.Clone();
        var energy = new double[count];
        for (var f = 0; f < count; f++)
            for (var i = 0; i < FrameSamples; i++)
            {
                var v = x[(f * FrameSamples) + i];
                energy[f] += v * (double)v;
            }
        var floor = energy.Max() * Math.Pow(10, SilenceBelowPeakDb / 10);
        var first = Array.FindIndex(energy, v => v > floor);
        var last = Array.FindLastIndex(energy, v => v > floor);
        if (first < 0) return (float[])x.Clone();
        return x[(first * FrameSamples)..Math.Min(x.Length, (last + 1) * FrameSamples)];
    }

    /// <summary>
    /// Mean power per sample and microphone of the talkers' speech during their utterances. Radio counts
    /// only when no one talks; with no events at all, the nominal speech level stands in.
    /// </summary>
    private static double SpeechPower(List<RenderedUtterance> utterances, int frames, int channels, double levelDbfs)
    {
        var speakers = utterances.Where(u => u.Kind == SceneSourceKind.Talker).ToList();
        if (speakers.Count == 0) speakers = utterances;
        if (speakers.Count == 0) return Math.Pow(10, levelDbfs / 10);
        var sum = NewChannels(channels, frames);
        var active = new bool[frames];
        foreach (var u in speakers)
        {
            AddImage(sum, u);
            var end = Math.Min(frames, u.StartSample + u.Dry.Length);
            for (var t = u.StartSample; t < end; t++) active[t] = true;
        }
        double acc = 0;
        long n = 0;
        for (var t = 0; t < frames; t++)
        {
            if (!active[t]) continue;
            for (var m = 0; m < channels; m++) acc += sum[m][t] * (double)sum[m][t];
            n += channels;
        }
        return n == 0 ? Math.Pow(10, levelDbfs / 10) : acc / n;
    }

    private static void WhiteNoise(float[] x, double rms, int seed)
    {
        var rng = new Random(seed);
        for (var i = 0; i < x.Length; i++)
            x[i] = (float)(rms * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
    }

    private static double MeanPower(float[][] x, int from, int to)
    {
        double acc = 0;
        foreach (var ch in x)
            for (var t = from; t < to; t++) acc += ch[t] * (double)ch[t];
        return acc / (x.Length * (double)(to - from));
    }

    private static void AddImage(float[][] mix, RenderedUtterance u)
    {
        for (var m = 0; m < mix.Length; m++)
        {
            var img = u.Image[m];
            var dst = mix[m];
            for (var i = 0; i < img.Length && u.StartSample + i < dst.Length; i++) dst[u.StartSample + i] += img[i];
        }
    }

    private static float[][] NewChannels(int channels, int frames)
    {
        var x = new float[channels][];
        for (var m = 0; m < channels; m++) x[m] = new float[frames];
        return x;
    }
}
