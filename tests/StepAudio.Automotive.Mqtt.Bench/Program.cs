using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;

// Usage: dotnet run -c Release --project tests/StepAudio.Automotive.Mqtt.Bench [-- --broker mqtt://host:port] [--messages 50000] [--seconds 30]
// Without --broker it starts /usr/sbin/mosquitto with deploy/mosquitto/gateway.conf on a free loopback port.
var broker = Arg("--broker");
var messages = int.Parse(Arg("--messages") ?? "50000", CultureInfo.InvariantCulture);
var seconds = int.Parse(Arg("--seconds") ?? "30", CultureInfo.InvariantCulture);
var synchronous = Arg("--synchronous") ?? "NORMAL";

Process? mosquitto = null;
var work = Directory.CreateTempSubdirectory("stepaudio-mqtt-bench-");
try
{
    if (broker is null)
    {
        var port = FreePort();
        var repo = FindRepo();
        var conf = Path.Combine(work.FullName, "mosquitto.conf");
        File.WriteAllText(conf, $"user root\npersistence_location {work.FullName}/\nlistener {port} 127.0.0.1\n" + File.ReadAllText(Path.Combine(repo, "deploy", "mosquitto", "gateway.conf")));
        mosquitto = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", conf]))!;
        broker = $"mqtt://127.0.0.1:{port}";
        WaitForPort(port);
    }
    Console.WriteLine($"broker {broker}, outbox synchronous={synchronous}, {Environment.ProcessorCount} cores");

    var options = new MqttOptions
    {
        Vin = "BENCH",
        OutboxPath = Path.Combine(work.FullName, "outbox.db"),
        OutboxSynchronous = synchronous,
        IntentExpirySeconds = 3600,
        OutboxMaxMessages = messages * 2,
    };
    var pending = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
    var latencies = new List<double>();
    await using var publisher = new GatewayPublisher(options, GatewayAddress.Parse(broker, "--broker"));
    publisher.Delivered += id =>
    {
        if (pending.TryRemove(id, out var start))
            lock (latencies) latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    };
    publisher.Start();
    var intent = new IntentEvent("climate.temperature.set", new Dictionary<string, string> { ["celsius"] = "22" }, "driver", 0.91, 11.9, 13.2, 13.35);

    // Warm up: JIT, connection, SQLite pages.
    for (var i = 0; i < 2000; i++) publisher.Enqueue(intent);
    if (!await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(60))) throw new TimeoutException("warm-up did not drain");

    // 1. Sustained throughput: enqueue as fast as the producer can while the publisher drains; until all are PUBACKed.
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < messages; i++) publisher.Enqueue(intent);
    var enqueued = sw.Elapsed.TotalSeconds;
    if (!await publisher.WaitDrainedAsync(TimeSpan.FromMinutes(5))) throw new TimeoutException("throughput run did not drain");
    var total = sw.Elapsed.TotalSeconds;
    Console.WriteLine($"throughput: {messages} intents (QoS 1, outbox on) enqueued in {enqueued:0.00} s, all PUBACKed in {total:0.00} s: {messages / total:0} msg/s sustained ({messages / enqueued:0} msg/s enqueue)");

    // 2. Latency at 50 msg/s: enqueue to PUBACK, per message.
    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
    for (var i = 0; i < seconds * 50; i++)
    {
        await timer.WaitForNextTickAsync();
        var start = Stopwatch.GetTimestamp();
        pending[publisher.Enqueue(intent)] = start;
    }
    if (!await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(30))) throw new TimeoutException("latency run did not drain");
    await Task.Delay(100);
    double[] sorted;
    lock (latencies) sorted = [.. latencies.Order()];
    Console.WriteLine($"latency at 50 msg/s, {sorted.Length} intents, enqueue to PUBACK: p50 {P(0.50):0.00} ms, p99 {P(0.99):0.00} ms, max {sorted[^1]:0.00} ms");
    return 0;

    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
finally
{
    if (mosquitto is { HasExited: false })
    {
        mosquitto.Kill();
        mosquitto.WaitForExit();
    }
    work.Delete(recursive: true);
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

static void WaitForPort(int port)
{
    for (var i = 0; i < 500; i++)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            Thread.Sleep(20);
        }
    }
    throw new TimeoutException("mosquitto did not start");
}

static string FindRepo()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "StepAudio.Automotive.sln"))) return d.FullName;
    throw new InvalidOperationException("repository root not found");
}
