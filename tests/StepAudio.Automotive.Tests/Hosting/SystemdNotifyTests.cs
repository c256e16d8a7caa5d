using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace StepAudio.Automotive.Tests.Hosting;

/// <summary>
/// The real `stepaudio run` binary under a stand-in service manager: its parent process is named
/// <c>systemd</c> (so Microsoft.Extensions.Hosting.Systemd switches on) and NOTIFY_SOCKET points at a
/// datagram socket this test reads, exactly as systemd would. Audio arrives through a FIFO that the
/// test feeds like a capture device and then stops feeding, to make the pipeline stall.
/// </summary>
public sealed class SystemdNotifyTests
{
    private sealed record Message(TimeSpan At, string Text);

    [Fact]
    public async Task ReadyAfterTheInputOpensWatchdogOnlyWhileAudioFlowsAndStoppingAtTheEnd()
    {
        var dir = TestPaths.NewTempDir();
        var fifo = Path.Combine(dir, "mics.raw");
        Run("mkfifo", fifo);
        var systemd = Path.Combine(dir, "systemd");
        File.CreateSymbolicLink(systemd, "/bin/sh");
        var config = Path.Combine(dir, "service.json");
        File.WriteAllText(config, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}",
              "Audio": { "Source": "raw", "Path": "{{fifo}}", "Format": "s16le" },
              "Mqtt": { "OutboxPath": "{{dir}}/outbox.db", "EmbeddedBroker": { "Port": 0 } } } }
            """);

        var socketPath = Path.Combine(dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        socket.ReceiveTimeout = 200;
        var clock = Stopwatch.StartNew();
        var messages = new List<Message>();
        var listening = true;
        var listener = new Thread(() =>
        {
            var buffer = new byte[4096];
            while (Volatile.Read(ref listening))
            {
                try
                {
                    var n = socket.Receive(buffer);
                    lock (messages) messages.Add(new Message(clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, n)));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                }
            }
        });
        listener.Start();

        // sh stays the parent (the trailing `exit` stops it from exec'ing dotnet), as systemd would be.
        var dll = Path.Combine(AppContext.BaseDirectory, "stepaudio.dll");
        var psi = new ProcessStartInfo(systemd) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"dotnet '{dll}' run --config-dir '{dir}/none' --config '{config}'; exit $?");
        psi.Environment["NOTIFY_SOCKET"] = socketPath;
        psi.Environment["WATCHDOG_USEC"] = "200000"; // heartbeat every 100 ms
        using var service = Process.Start(psi)!;
        var stderr = service.StandardError.ReadToEndAsync();
        var stdout = service.StandardOutput.ReadToEndAsync();

        TimeSpan flowStart, stallStart, stallEnd;
        using (var mics = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            // Feed 10 ms hops (4 channels, s16) at the device's pace for 1.5 s.
            var hop = new byte[160 * 4 * 2];
            new Random(3).NextBytes(hop);
            flowStart = clock.Elapsed;
            var next = clock.Elapsed;
            while (clock.Elapsed - flowStart < TimeSpan.FromSeconds(1.5))
            {
                mics.Write(hop);
                mics.Flush();
                next += TimeSpan.FromMilliseconds(10);
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            }
            // Keep the device open but silent: capture blocks and the pipeline stalls.
            stallStart = clock.Elapsed;
            Thread.Sleep(TimeSpan.FromSeconds(2));
            stallEnd = clock.Elapsed;
        }
        Assert.True(service.WaitForExit(30_000), "service did not stop at the end of its input");
        Volatile.Write(ref listening, false);
        listener.Join();

        Message[] got;
        lock (messages) got = [.. messages];
        var log = string.Join("\n", got.Select(m => $"{m.At.TotalMilliseconds:0} {m.Text}")) + "\n" + await stderr + await stdout;
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

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(file, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
