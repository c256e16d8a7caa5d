using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace StepAudio.Automotive.Tests.Hosting;

/// <summary>
/// The real `stepaudio run` binary under a stand-in service manager: its parent process is named
/// <c>systemd</c> (so Microsoft.Extensions.Hosting.Systemd switches on) and NOTIFY_SOCKET points at a
/// datagram socket this harness reads, exactly as systemd would. Audio arrives through a FIFO
/// (<see cref="Fifo"/>) that the test feeds like a capture device.
/// </summary>
internal sealed class ServiceUnderSystemd : IDisposable
{
    public sealed record Message(TimeSpan At, string Text);

    private readonly Socket _socket;
    private readonly Thread _listener;
    private readonly List<Message> _messages = [];
    private readonly Process _shell;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private volatile bool _listening = true;

    public ServiceUnderSystemd(string watchdogUsec = "200000")
    {
        var dir = TestPaths.NewTempDir();
        Fifo = Path.Combine(dir, "mics.raw");
        Assert.Equal(0, ExternalProcess.Run("mkfifo", Fifo).Code);
        var systemd = Path.Combine(dir, "systemd");
        File.CreateSymbolicLink(systemd, "/bin/sh");
        var config = Path.Combine(dir, "service.json");
        File.WriteAllText(config, $$"""
            { "StepAudio": { "CabinProfile": "{{TestPaths.ConsoleCabin}}",
              "Audio": { "Source": "raw", "Path": "{{Fifo}}", "Format": "s16le" },
              "Mqtt": { "OutboxPath": "{{dir}}/outbox.db", "EmbeddedBroker": { "Port": 0 } } } }
            """);

        var socketPath = Path.Combine(dir, "notify.sock");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        _socket.ReceiveTimeout = 200;
        _listener = new Thread(Listen);
        _listener.Start();

        // sh stays the parent (the trailing `exit` stops it from exec'ing dotnet), as systemd would be.
        var dll = Path.Combine(AppContext.BaseDirectory, "stepaudio.dll");
        var psi = new ProcessStartInfo(systemd) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"dotnet '{dll}' run --config-dir '{dir}/none' --config '{config}'; exit $?");
        psi.Environment["NOTIFY_SOCKET"] = socketPath;
        psi.Environment["WATCHDOG_USEC"] = watchdogUsec;
        _shell = Process.Start(psi)!;
        _stderr = _shell.StandardError.ReadToEndAsync();
        _stdout = _shell.StandardOutput.ReadToEndAsync();
    }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public string Fifo { get; }

    /// <summary>The service's exit code (the stand-in manager passes it through).</summary>
    public int ExitCode => _shell.ExitCode;

    public Message[] Messages()
    {
        lock (_messages) return [.. _messages];
    }

    public bool WaitForExit(TimeSpan timeout) => _shell.WaitForExit(timeout);

    /// <summary>Sends a signal to the service process itself (the stand-in manager's child), as systemctl stop does.</summary>
    public void Signal(string name)
    {
        var children = File.ReadAllText($"/proc/{_shell.Id}/task/{_shell.Id}/children").Trim();
        Assert.False(children.Length == 0, "service process not found");
        Assert.Equal(0, ExternalProcess.Run("kill", "-" + name, children.Split(' ')[0]).Code);
    }

    /// <summary>Everything received and logged, for assertion messages.</summary>
    public string Log()
    {
        var output = _shell.HasExited ? _stderr.Result + _stdout.Result : "(still running)";
        return string.Join("\n", Messages().Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.At.TotalMilliseconds:0} {m.Text}"))) + "\n" + output;
    }

    private void Listen()
    {
        var buffer = new byte[4096];
        while (_listening)
        {
            try
            {
                var n = _socket.Receive(buffer);
                lock (_messages) _messages.Add(new Message(Clock.Elapsed, Encoding.UTF8.GetString(buffer, 0, n)));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }
    }

    public void Dispose()
    {
        if (!_shell.HasExited) _shell.Kill(entireProcessTree: true);
        _listening = false;
        _listener.Join();
        _socket.Dispose();
        _shell.Dispose();
    }
}
