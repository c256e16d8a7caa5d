using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>
/// The wake gate on the zone tracker's real state: a wake word passes only when its seat is talking and
/// began about a keyword's length before it fired.
/// </summary>
public class WakeGateTests
{
    private static readonly CabinProfile Profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);

    private sealed class NoSink : IEventSink
    {
        public void Publish(CabinEvent e) { }
    }

    /// <summary>A tracker fed 10 ms frames in which <paramref name="talking"/> holds all the evidence from 1.0 s to <paramref name="until"/>.</summary>
    private static ZoneTracker TalkFrom1s(int talking, double until)
    {
        var tracker = new ZoneTracker(Profile, new NoSink());
        var evidence = new float[Profile.Zones.Count + Profile.Loudspeakers.Count];
        var directions = Profile.Zones.Select(z => z.Position - Profile.ArrayCentre).ToArray();
        for (var f = 0; f * 0.01 < until; f++)
        {
            Array.Clear(evidence);
            if (f >= 100) evidence[talking] = 0.5f;
            tracker.Update(evidence, directions, f * 0.01, (f + 1) * 0.01);
        }
        return tracker;
    }

    [Theory]
    [InlineData(1.2, false)] // 0.2 s into the seat's talk: the keyword was mostly not this seat's
    [InlineData(1.7, true)] // a keyword's length after the seat began
    [InlineData(2.45, true)]
    [InlineData(2.6, false)] // 1.6 s: mid-sentence
    [InlineData(6.0, false)]
    public void AWakeWordPassesOnlyAKeywordsLengthAfterItsSeatBeganTalking(double firedAt, bool admitted)
    {
        var tracker = TalkFrom1s(talking: 0, until: firedAt);
        Assert.True(tracker.IsActive(0));
        Assert.InRange(tracker.TalkingSince(0), 1.0, 1.05); // the first frame the smoothed evidence clears the off threshold
        Assert.Equal(admitted, new WakeGate().Admits(tracker, 0, firedAt));
        Assert.True(new WakeGate { Enabled = false }.Admits(tracker, 0, firedAt));
    }

    [Fact]
    public void AWakeWordInASeatNobodyIsTalkingInIsTurnedAway()
    {
        var tracker = TalkFrom1s(talking: 0, until: 1.7);
        Assert.False(new WakeGate().Admits(tracker, 1, 1.7));
        Assert.False(new WakeGate().Admits(TalkFrom1s(talking: 0, until: 0.9), 0, 0.9)); // before anyone talked
    }

    [Fact]
    public void SettingsOutOfRangeNameTheirKey()
    {
        Assert.Empty(new WakeGate().Validate("StepAudio:WakeGate"));
        Assert.Contains(new WakeGate { MinOnsetSeconds = -1 }.Validate("StepAudio:WakeGate"), m => m.StartsWith("StepAudio:WakeGate:MinOnsetSeconds", StringComparison.Ordinal));
        Assert.Contains(new WakeGate { MaxOnsetSeconds = 0.2 }.Validate("StepAudio:WakeGate"), m => m.StartsWith("StepAudio:WakeGate:MaxOnsetSeconds", StringComparison.Ordinal));
    }
}
