using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>
/// A real Mosquitto (/usr/sbin/mosquitto) on a free loopback port with deploy/mosquitto/gateway.conf,
/// started by the test and killed at the end (its log: mosquitto.log in <see cref="Directory"/>). Stop and
/// start again on the same port to cut the link.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";

    private readonly string _config;
    private Process? _process;

    public MosquittoBroker(string? listenerExtra = null, string? tail = null)
    {
        Port = FreePort();
        Directory = TestPaths.NewTempDir();
        _config = Path.Combine(Directory, "mosquitto.conf");
        File.WriteAllText(_config, $"""
            user root
            persistence_location {Directory}/
            listener {Port} 127.0.0.1
            {listenerExtra}
            {File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "mosquitto", "gateway.conf"))}
            {tail}
            """);
        Start();
    }

    public int Port { get; }

    public string Directory { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public void Start()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: apt-get install mosquitto (.ci/run does)");
        _process = Process.Start(new ProcessStartInfo(Binary, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var log = Path.Combine(Directory, "mosquitto.log");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_config) File.AppendAllText(log, e.Data + "\n");
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} on {_config}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Stops the broker as a service manager would (SIGTERM: it saves its sessions) and waits for it.</summary>
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
