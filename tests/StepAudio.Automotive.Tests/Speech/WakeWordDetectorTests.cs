using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>
/// openWakeWord's pretrained "hey jarvis" head (CC BY-NC-SA, demo only) on real TTS speech through
/// the streaming zone stage: VAD gate, incremental mel, one embedding per step, the head.
/// </summary>
public class WakeWordDetectorTests(ITestOutputHelper output)
{
    private static readonly string[] EspeakVoices = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us+f3", "en-gb+f2", "en-us+m3", "en-gb-x-gbclan", "en-us+f4"];
    private static readonly string[] FliteVoices = ["kal", "kal16", "slt", "rms", "awb"];

    private const double Lead = 1.0;

    private static float[] Padded(float[] speech, int seed) =>
        TestSpeech.WithNoise(TestSpeech.Concat(TestSpeech.Silence(Lead), speech, TestSpeech.Silence(1.5)), 0.002, seed);

    private static ZoneSpeech NewZone(WakeWordOptions? options = null) =>
        new("driver", SpeechModelPaths.From(TestModels.Store), [(TestModels.HeyJarvis, options ?? new WakeWordOptions())], new InferenceOptions());

    /// <summary>Streams the audio in odd-sized blocks; returns the detections and the steps at or above threshold.</summary>
    private static (List<WakeWordDetection> Detections, int StepsAbove) Stream(ZoneSpeech zone, float[] audio)
    {
        zone.Reset();
        var detections = new List<WakeWordDetection>();
        var above = 0;
        var steps = 0L;
        zone.WakeWord += detections.Add;
        for (var i = 0; i < audio.Length; i += 1000)
        {
            zone.Process(audio.AsSpan(i, Math.Min(1000, audio.Length - i)));
            if (zone.Steps != steps && zone.Heads[0].Score >= zone.Heads[0].Options.Threshold) above++;
            steps = zone.Steps;
        }
        zone.WakeWord -= detections.Add;
        return (detections, above);
    }

    [Fact]
    public void HeyJarvisIsDetectedOnceAcrossTtsVoices()
    {
        using var zone = NewZone();
        var clips = new List<(string Name, float[] Speech)>();
        foreach (var v in EspeakVoices)
            foreach (var wpm in new[] { 140, 175 })
                clips.Add(($"espeak {v} {wpm} wpm", TestSpeech.Espeak("hey jarvis", v, wpm)));
        foreach (var v in FliteVoices)
            clips.Add(($"flite {v}", TestSpeech.Flite("hey jarvis", v)));

        var hits = 0;
        for (var c = 0; c < clips.Count; c++)
        {
            var (name, speech) = clips[c];
            var (detections, _) = Stream(zone, Padded(speech, seed: c));
            output.WriteLine($"{name}: {detections.Count} detection(s) {string.Join(" ", detections.Select(d => $"{d.Score:F3}@{d.StreamTime:F2}s"))}");
            Assert.True(detections.Count <= 1, $"{name}: one utterance fired {detections.Count} times");
            if (detections.Count == 0) continue;
            hits++;
            var d = detections[0];
            Assert.Equal("driver", d.Zone);
            Assert.Equal("hey_jarvis", d.Keyword);
            // Decided after the keyword began and at most a second after it ended.
            Assert.InRange(d.StreamTime, Lead, Lead + ((double)speech.Length / TestSpeech.Rate) + 1.0);
        }
        var recall = (double)hits / clips.Count;
        output.WriteLine($"recall {hits}/{clips.Count} = {recall:P0}");
        Assert.True(recall >= 0.9, $"recall {hits}/{clips.Count}");
    }

    [Fact]
    public void OtherSpeechDoesNotFire()
    {
        string[] sentences =
        [
            "turn on the air conditioning", "what is the weather like today", "hey there jamie",
            "navigate home", "play some music", "call the office", "harvest the jars in the garden",
            "hey travis, are you coming", "open the sunroof", "find the nearest charging station",
        ];
        using var zone = NewZone();
        var fired = 0;
        for (var i = 0; i < sentences.Length; i++)
        {
            var speech = i % 3 == 2 ? TestSpeech.Flite(sentences[i], "slt") : TestSpeech.Espeak(sentences[i], EspeakVoices[i % EspeakVoices.Length]);
            var (detections, _) = Stream(zone, Padded(speech, seed: 100 + i));
            output.WriteLine($"'{sentences[i]}': {detections.Count}");
            fired += detections.Count;
        }
        Assert.Equal(0, fired);
    }

    [Fact]
    public void PatienceNeedsThatManyConsecutiveSteps()
    {
        var audio = Padded(TestSpeech.Espeak("hey jarvis", "en-gb"), seed: 9);
        int above;
        using (var zone = NewZone())
            above = Stream(zone, audio).StepsAbove;
        Assert.True(above >= 2, $"only {above} step(s) above threshold");
        using (var patient = NewZone(new WakeWordOptions { Patience = above }))
            Assert.Single(Stream(patient, audio).Detections);
        using (var tooPatient = NewZone(new WakeWordOptions { Patience = above + 1 }))
            Assert.Empty(Stream(tooPatient, audio).Detections);
    }

    [Fact]
    public void RefractoryPeriodSwallowsARepeatInsideIt()
    {
        var jarvis = TestSpeech.Espeak("hey jarvis", "en-us");
        var twice = Padded(TestSpeech.Concat(jarvis, TestSpeech.Silence(0.6), jarvis), seed: 4);
        using (var longQuiet = NewZone(new WakeWordOptions { RefractorySeconds = 5 }))
            Assert.Single(Stream(longQuiet, twice).Detections);
        using var shortQuiet = NewZone(new WakeWordOptions { RefractorySeconds = 0.3 });
        var both = Stream(shortQuiet, twice).Detections;
        Assert.Equal(2, both.Count);
        Assert.True(both[1].StreamTime - both[0].StreamTime > 0.8);
    }

    [Fact]
    public void QuietZoneSkipsTheHeavyModels()
    {
        using var zone = NewZone();
        var audio = TestSpeech.Concat(TestSpeech.Noise(6, 0.002, seed: 3), TestSpeech.Espeak("hey jarvis"), TestSpeech.Silence(2));
        var (detections, _) = Stream(zone, audio);
        Assert.Single(detections);
        // Six seconds of noise: the embedding and the head ran on only a small part of the stream.
        Assert.True(zone.ActiveSteps < zone.Steps / 2, $"{zone.ActiveSteps} of {zone.Steps} steps active");
        Assert.Equal(audio.Length, zone.Samples);
    }

    [Fact]
    public void TheVadGateLosesNoDetectionInNoise()
    {
        // White noise at an active-speech SNR: the gate must never hide a keyword the head would find.
        using var zone = NewZone();
        using var mel = new MelSpectrogram(TestModels.Melspectrogram, new InferenceOptions());
        using var embedder = new SpeechEmbedder(TestModels.Embedding, new InferenceOptions());
        using var head = new WakeWordDetector(TestModels.HeyJarvis, embedder, new WakeWordOptions(), new InferenceOptions());
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        var seed = 200;
        foreach (var snr in new[] { 20.0, 5.0 })
        {
            var hits = 0;
            foreach (var voice in EspeakVoices)
            {
                var speech = TestSpeech.Espeak("hey jarvis", voice);
                var active = speech.Where(x => Math.Abs(x) > 1e-3).Select(x => (double)x * x).Average();
                var audio = TestSpeech.WithNoise(TestSpeech.Concat(TestSpeech.Silence(Lead), speech, TestSpeech.Silence(1.5)), Math.Sqrt(active) / Math.Pow(10, snr / 20), seed++);
                var gated = Stream(zone, audio).Detections.Count;

                mel.Reset();
                embedder.Reset();
                head.Reset();
                var ungated = 0;
                for (var k = 0; (k + 1) * MelSpectrogram.StepSamples <= audio.Length; k++)
                {
                    mel.Step(audio.AsSpan(k * MelSpectrogram.StepSamples, MelSpectrogram.StepSamples), frames);
                    embedder.Step(frames);
                    if (head.Step(k)) ungated++;
                }
                Assert.True(gated == ungated, $"{voice} at {snr} dB: {gated} gated vs {ungated} ungated detections");
                hits += gated > 0 ? 1 : 0;
            }
            output.WriteLine($"white noise at {snr} dB SNR: recall {hits}/{EspeakVoices.Length}");
        }
    }

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        using var zone = NewZone();
        var audio = Padded(TestSpeech.Espeak("hey jarvis, turn on the air conditioning"), seed: 12);
        void Feed()
        {
            for (var i = 0; i + 256 <= audio.Length; i += 256) zone.Process(audio.AsSpan(i, 256));
        }
        Feed();
        Feed();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void StreamingMelFramesMatchTheWholeClip()
    {
        // Over a noise floor: on digital silence the model's output depends on the rest of the window
        // it is given (its log floor), which openWakeWord's own streaming shares.
        var audio = TestSpeech.WithNoise(TestSpeech.Concat(TestSpeech.Espeak("open the window"), TestSpeech.Silence(0.3)), 0.002, seed: 5);
        var steps = audio.Length / MelSpectrogram.StepSamples;
        var n = steps * MelSpectrogram.StepSamples;
        var offlineFrames = ((n - 512) / 160) + 1;
        using var whole = new OnnxModel(TestModels.Melspectrogram, new InferenceOptions(), new Dictionary<string, long[]>
        {
            ["input"] = [1, n],
            ["output"] = [1, 1, offlineFrames, MelSpectrogram.Bins],
        });
        for (var i = 0; i < n; i++) whole.Input("input").Floats[i] = audio[i] * 32768f;
        whole.Run();
        var offline = whole.Output("output").Floats.ToArray();

        using var mel = new MelSpectrogram(TestModels.Melspectrogram, new InferenceOptions());
        var frames = new float[MelSpectrogram.FramesPerStep * MelSpectrogram.Bins];
        var compared = 0;
        for (var k = 0; k < steps; k++)
        {
            mel.Step(audio.AsSpan(k * MelSpectrogram.StepSamples, MelSpectrogram.StepSamples), frames);
            if (k == 0) continue; // the first step's overlap is the zeros before the stream
            // Step k covers samples from 1280k - 480, i.e. whole-clip frames 8k - 3 onwards.
            for (var f = 0; f < MelSpectrogram.FramesPerStep; f++)
                for (var b = 0; b < MelSpectrogram.Bins; b++)
                {
                    var o = (((8 * k) - 3 + f) * MelSpectrogram.Bins) + b;
                    if (o >= offline.Length) continue;
                    Assert.Equal((offline[o] / 10f) + 2f, frames[(f * MelSpectrogram.Bins) + b], 2e-3f);
                    compared++;
                }
        }
        Assert.True(compared > 1000);
    }

    [Fact]
    public void HeadsOfOtherLengthsShareTheZoneEmbeddings()
    {
        // The weather head reads 22 embeddings, hey jarvis 16: both run on the same history.
        using var zone = new ZoneSpeech("driver", SpeechModelPaths.From(TestModels.Store),
            [(TestModels.HeyJarvis, new WakeWordOptions()), (TestModels.Path("weather_v0.1"), new WakeWordOptions { Keyword = "weather" })],
            new InferenceOptions());
        Assert.Equal([16, 22], zone.Heads.Select(h => h.WindowLength));
        Assert.Equal(22, zone.HoldSteps);
        var (detections, _) = Stream(zone, Padded(TestSpeech.Espeak("what is the weather like today", "en-gb"), seed: 31));
        output.WriteLine(string.Join(" ", detections.Select(d => $"{d.Keyword} {d.Score:F3}@{d.StreamTime:F2}s")));
        Assert.Equal(["weather"], detections.Select(d => d.Keyword));
    }

    [Fact]
    public void AMultiClassHeadIsRejectedByName()
    {
        var timer = TestModels.Path("timer_v0.1");
        var e = Assert.Throws<InvalidInputException>(() =>
            new ZoneSpeech("driver", SpeechModelPaths.From(TestModels.Store), [(timer, new WakeWordOptions())], new InferenceOptions()));
        Assert.Equal(timer, e.Source);
        Assert.Contains("one score", e.Message, StringComparison.Ordinal);
    }
}
