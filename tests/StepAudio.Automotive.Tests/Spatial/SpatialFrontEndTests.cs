using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Spatial;

public class SpatialFrontEndTests(ITestOutputHelper output)
{
    private const int Fs = 16000;

    private sealed class ListSink : IEventSink
    {
        public List<CabinEvent> Events { get; } = [];

        public void Publish(CabinEvent e) => Events.Add(e);
    }

    /// <summary>Noise with a 4 Hz syllable envelope, on only within [start, end).</summary>
    private static float[] Talker(int length, double start, double end, int seed, double rms = 0.05)
    {
        var x = SyntheticArray.Burst(length, start, end, seed, rms);
        for (var i = 0; i < length; i++) x[i] *= (float)(0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * i / Fs)));
        return x;
    }

    private static ListSink Run(CabinProfile profile, float[][] mics, SpatialOptions? options = null)
    {
        var sink = new ListSink();
        var pipeline = new CabinPipeline(profile, sink, options);
        pipeline.Start("synthetic");
        PipelineAudio.Play(pipeline, mics);
        return sink;
    }

    [Theory]
    [InlineData("sedan-console-circular")]
    [InlineData("sedan-headliner-linear")]
    public void TwoOverlappingTalkersGetStartAndEndEventsInTheirZones(string cabin)
    {
        var profile = CabinProfileReader.Load(TestPaths.Cabin(cabin));
        var n = 6 * Fs;
        var driver = profile.Zones[profile.ZoneIndex("driver")].Position;
        var rearRight = profile.Zones[profile.ZoneIndex("rear-right")].Position;
        var mics = SyntheticArray.Render(profile, [(driver, Talker(n, 1.0, 3.5, 1)), (rearRight, Talker(n, 2.5, 4.5, 2, 0.12))], n, sensorNoiseRms: 0.001);
        // The rendering is free field (no walls), so the zone map steers to the direct path only.
        var sink = Run(profile, mics, new SpatialOptions { ReflectionOrder = 0 });
        var speech = sink.Events.OfType<SpeechEvent>().ToList();
        Assert.Equal(["driver", "rear-right"], speech.Where(e => e.End is null).Select(e => e.Zone));
        Assert.Equal(["driver", "rear-right"], speech.Where(e => e.End is not null).Select(e => e.Zone));
        var d = speech.Last(e => e.Zone == "driver");
        Assert.InRange(d.Start, 0.9, 1.15);
        Assert.InRange(d.End!.Value, 3.4, 3.7);
        var r = speech.Last(e => e.Zone == "rear-right");
        Assert.InRange(r.Start, 2.4, 2.8);
        Assert.InRange(r.End!.Value, 4.4, 4.75);
        var geometry = new ArrayGeometry(profile);
        foreach (var e in speech)
        {
            var (az, _) = geometry.DirectionOf(profile.Zones[profile.ZoneIndex(e.Zone)].Position);
            Assert.True(Math.Abs(Math.IEEERemainder(e.DoaAzimuthDeg - az, 360)) <= 5, $"{e.Zone}: {e.DoaAzimuthDeg}° vs {az:0.0}°");
        }
        // The start event is published once the zone is confirmed, shortly after the talker starts.
        Assert.All(speech.Where(e => e.End is null), e => Assert.InRange(e.StreamTime - e.Start, 0, 0.3));
    }

    [Fact]
    public void RadioFromADoorSpeakerOpensNoZone()
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var n = 4 * Fs;
        var speaker = profile.Loudspeakers[2].Position;
        var mics = SyntheticArray.Render(profile, [(speaker, Talker(n, 0.5, 3.5, 4, 0.1))], n, sensorNoiseRms: 0.001);
        var sink = new ListSink();
        var front = new SpatialFrontEnd(profile, sink);
        var usable = new[] { true, true, true, true };
        var planar = new float[4][];
        for (var m = 0; m < 4; m++) planar[m] = new float[160];
        var radioFrames = 0;
        for (var h = 0; h < n / 160; h++)
        {
            for (var m = 0; m < 4; m++) mics[m].AsSpan(h * 160, 160).CopyTo(planar[m]);
            front.Process(planar, usable);
            if (front.Tracker.RadioActive) radioFrames++;
        }
        Assert.Empty(sink.Events);
        Assert.True(radioFrames > 200, $"radio seen in {radioFrames} frames");
    }

    [Fact]
    public void DeadMicrophoneIsLeftOutAndZonesStillWork()
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var n = 4 * Fs;
        var passenger = profile.Zones[profile.ZoneIndex("front-passenger")].Position;
        var mics = SyntheticArray.Render(profile, [(passenger, Talker(n, 1.0, 3.0, 5))], n, sensorNoiseRms: 0.001);
        Array.Clear(mics[1]);
        var sink = Run(profile, mics);
        var status = sink.Events.OfType<StatusEvent>().Last(s => s.Audio.DeadChannels.Count > 0);
        Assert.Equal([1], status.Audio.DeadChannels);
        var speech = sink.Events.OfType<SpeechEvent>().ToList();
        Assert.Equal(["front-passenger", "front-passenger"], speech.Select(e => e.Zone));
    }

    /// <summary>
    /// With the cabin reflections the hot path allocates nothing per hop once warm; only a hop that publishes
    /// a speech event allocates (the event).
    /// </summary>
    [Theory]
    [InlineData(BeamformerKind.Mvdr)]
    [InlineData(BeamformerKind.DelayAndSum)]
    public void FrontEndAllocatesNothingPerHop(BeamformerKind kind)
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var n = 20 * Fs;
        var mics = SyntheticArray.Render(profile, [(profile.Zones[0].Position, Talker(n, 0.0, 20.0, 1))], n, sensorNoiseRms: 0.001);
        var sink = new ListSink();
        var front = new SpatialFrontEnd(profile, sink, new SpatialOptions { Beamformer = kind, ReflectionOrder = 2 });
        var planar = Enumerable.Range(0, 4).Select(_ => new float[160]).ToArray();
        var usable = new[] { true, true, true, true };
        long allocated = 0;
        var quietHops = 0;
        for (var h = 0; h < n / 160; h++)
        {
            for (var m = 0; m < 4; m++) mics[m].AsSpan(h * 160, 160).CopyTo(planar[m]);
            var events = sink.Events.Count;
            var before = GC.GetAllocatedBytesForCurrentThread();
            front.Process(planar, usable);
            if (h < 1000 || sink.Events.Count != events) continue;
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            quietHops++;
        }
        Assert.True(quietHops > 900, $"{quietHops} hops without events");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void MvdrNullsATalkerInAnotherZoneBetterThanDelayAndSum()
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var n = 5 * Fs;
        var driver = profile.ZoneIndex("driver");
        var target = Talker(n, 2.0, 5.0, 6);
        var interferer = Talker(n, 0.0, 5.0, 7);
        var targetMics = SyntheticArray.Render(profile, [(profile.Zones[driver].Position, target)], n);
        var interfererMics = SyntheticArray.Render(profile, [(profile.Zones[profile.ZoneIndex("front-passenger")].Position, interferer)], n);
        var sensor = SyntheticArray.Render(profile, [], n, sensorNoiseRms: 0.0005);
        var sir = new Dictionary<BeamformerKind, double>();
        foreach (var kind in new[] { BeamformerKind.Mvdr, BeamformerKind.DelayAndSum })
        {
            var front = new SpatialFrontEnd(profile, new ListSink(), new SpatialOptions { Beamformer = kind });
            var stft = front.Stft;
            var tA = new StftAnalyzer[4];
            var iA = new StftAnalyzer[4];
            var tRe = new float[4][];
            var tIm = new float[4][];
            var iRe = new float[4][];
            var iIm = new float[4][];
            var planar = new float[4][];
            for (var m = 0; m < 4; m++)
            {
                (tA[m], iA[m]) = (new StftAnalyzer(stft), new StftAnalyzer(stft));
                (tRe[m], tIm[m], iRe[m], iIm[m], planar[m]) = (new float[stft.Bins], new float[stft.Bins], new float[stft.Bins], new float[stft.Bins], new float[160]);
            }
            var outRe = new float[stft.Bins];
            var outIm = new float[stft.Bins];
            double tIn = 0, iIn = 0, tOut = 0, iOut = 0;
            var usable = new[] { true, true, true, true };
            for (var h = 0; h < n / 160; h++)
            {
                for (var m = 0; m < 4; m++)
                {
                    for (var i = 0; i < 160; i++)
                    {
                        var s = (h * 160) + i;
                        planar[m][i] = targetMics[m][s] + interfererMics[m][s] + sensor[m][s];
                    }
                    tA[m].Push(targetMics[m].AsSpan(h * 160, 160), tRe[m], tIm[m]);
                    iA[m].Push(interfererMics[m].AsSpan(h * 160, 160), iRe[m], iIm[m]);
                }
                front.Process(planar, usable);
                if (h * 160 < 3 * Fs) continue; // measure once both talk and the beam has settled
                var reference = front.Beamformer.ReferenceMic[driver];
                for (var k = 1; k < stft.Bins; k++)
                {
                    tIn += (tRe[reference][k] * tRe[reference][k]) + (tIm[reference][k] * tIm[reference][k]);
                    iIn += (iRe[reference][k] * iRe[reference][k]) + (iIm[reference][k] * iIm[reference][k]);
                }
                front.Beamformer.Beam(driver, tRe, tIm, outRe, outIm);
                for (var k = 1; k < stft.Bins; k++) tOut += (outRe[k] * outRe[k]) + (outIm[k] * outIm[k]);
                front.Beamformer.Beam(driver, iRe, iIm, outRe, outIm);
                for (var k = 1; k < stft.Bins; k++) iOut += (outRe[k] * outRe[k]) + (outIm[k] * outIm[k]);
            }
            sir[kind] = 10 * Math.Log10(tOut / iOut) - (10 * Math.Log10(tIn / iIn));
        }
        output.WriteLine($"synthetic two talkers: SIR improvement MVDR {sir[BeamformerKind.Mvdr]:0.0} dB, delay-and-sum {sir[BeamformerKind.DelayAndSum]:0.0} dB");
        Assert.True(sir[BeamformerKind.Mvdr] >= 10, $"MVDR SIR improvement {sir[BeamformerKind.Mvdr]:0.0} dB (DAS {sir[BeamformerKind.DelayAndSum]:0.0} dB)");
        Assert.True(sir[BeamformerKind.Mvdr] > sir[BeamformerKind.DelayAndSum] + 5, $"MVDR {sir[BeamformerKind.Mvdr]:0.0} dB vs DAS {sir[BeamformerKind.DelayAndSum]:0.0} dB");
    }
}
