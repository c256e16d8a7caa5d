namespace StepAudio.Automotive.Tests.Hosting;

/// <summary>READY, WATCHDOG, STATUS and STOPPING as systemd sees them, from the real binary (see <see cref="ServiceUnderSystemd"/>).</summary>
public sealed class SystemdNotifyTests
{
    private static readonly byte[] Hop = NoiseHop();

    private static byte[] NoiseHop()
    {
        var hop = new byte[160 * 4 * 2]; // 10 ms, 4 channels, s16
        new Random(3).NextBytes(hop);
        return hop;
    }

    /// <summary>Feeds 10 ms hops at the device's pace for <paramref name="seconds"/>.</summary>
    private static void Feed(ServiceUnderSystemd service, FileStream mics, double seconds)
    {
        var start = service.Clock.Elapsed;
        var next = start;
        while (service.Clock.Elapsed - start < TimeSpan.FromSeconds(seconds))
        {
            mics.Write(Hop);
            mics.Flush();
            next += TimeSpan.FromMilliseconds(10);
            var wait = next - service.Clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
        }
    }

    [Fact]
    public void ReadyAfterTheInputOpensWatchdogOnlyWhileAudioFlowsAndStoppingAtTheEnd()
    {
        using var service = new ServiceUnderSystemd();
        TimeSpan flowStart, stallStart, stallEnd;
        using (var mics = new FileStream(service.Fifo, FileMode.Open, FileAccess.Write))
        {
            flowStart = service.Clock.Elapsed;
            Feed(service, mics, 1.5);
            // Keep the device open but silent: capture blocks and the pipeline stalls.
            stallStart = service.Clock.Elapsed;
            Thread.Sleep(TimeSpan.FromSeconds(2));
            stallEnd = service.Clock.Elapsed;
        }
        Assert.True(service.WaitForExit(TimeSpan.FromSeconds(30)), "service did not stop at the end of its input");
        var got = service.Messages();
        var log = service.Log();
        Assert.True(service.ExitCode == 0, log);

        var ready = Assert.Single(got, m => m.Text.Contains("READY=1", StringComparison.Ordinal));
        Assert.True(ready.At >= flowStart - TimeSpan.FromMilliseconds(50), "READY=1 came before the microphones were opened\n" + log);

        var beats = got.Where(m => m.Text.Contains("WATCHDOG=1", StringComparison.Ordinal)).ToArray();
        Assert.True(beats.Count(b => b.At > flowStart && b.At <= stallStart) >= 5, "too few heartbeats while audio flowed\n" + log);
        // One tick may still see the last hops processed; after a second of stall there must be none.
        Assert.DoesNotContain(beats, b => b.At > stallStart + TimeSpan.FromSeconds(1) && b.At < stallEnd);
        Assert.Contains(got, m => m.Text.StartsWith("STATUS=stalled", StringComparison.Ordinal) && m.At > stallStart);
        Assert.Contains(got, m => m.Text.Contains("STOPPING=1", StringComparison.Ordinal) && m.At >= stallEnd);
    }

    [Fact]
    public void SigtermStopsCleanlyWithinTheStopTimeoutEvenWithCaptureBlocked()
    {
        using var service = new ServiceUnderSystemd();
        using var mics = new FileStream(service.Fifo, FileMode.Open, FileAccess.Write);
        Feed(service, mics, 0.5);
        Assert.Contains(service.Messages(), m => m.Text.Contains("READY=1", StringComparison.Ordinal));

        // The device stays open and silent: the capture read is blocked when systemctl stop arrives.
        var sent = service.Clock.Elapsed;
        service.Signal("TERM");
        Assert.True(service.WaitForExit(TimeSpan.FromSeconds(15)), "service ignored SIGTERM\n" + service.Log());
        var stopped = service.Clock.Elapsed;

        Assert.True(service.ExitCode == 0, service.Log());
        Assert.True(stopped - sent < TimeSpan.FromSeconds(10), $"stop took {(stopped - sent).TotalSeconds:0.0} s\n{service.Log()}");
        Assert.Contains(service.Messages(), m => m.Text.Contains("STOPPING=1", StringComparison.Ordinal) && m.At >= sent);
    }
}
