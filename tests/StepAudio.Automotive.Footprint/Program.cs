using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using StepAudio.Automotive.Audio;

// Footprint of the real `stepaudio run` process, under a stand-in service manager (a parent named
// `systemd`, NOTIFY_SOCKET on a socket we read): time from process start to READY=1, then a long
// replay of the demo recording through a FIFO as fast as the service takes it, sampling RSS
// (VmRSS, VmHWM) and CPU time against stream time.
//   dotnet run -c Release --project tests/StepAudio.Automotive.Footprint -- [--minutes 60] [--config extra.json] [--runtime-gen0]
var minutes = 60.0;
string? extraConfig = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--minutes") minutes = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--config") extraConfig = Path.GetFullPath(args[++i]);
    else if (args[i] == "--runtime-gen0") continue;
    else throw new ArgumentException($"unknown argument {args[i]}");
}

var root = FindRoot();
var dll = Path.Combine(root, "src", "StepAudio.Automotive.Service", "bin", "Release", "net10.0", "stepaudio.dll");
var cabin = Path.Combine(root, "deploy", "cabins", "sedan-console-circular.json");
var dir = Directory.CreateTempSubdirectory("stepaudio-footprint").FullName;
var fifo = Path.Combine(dir, "mics.raw");
Process.Start("mkfifo", fifo).WaitForExit();
File.CreateSymbolicLink(Path.Combine(dir, "systemd"), "/bin/sh");
var config = Path.Combine(dir, "service.json");
File.WriteAllText(config, $$"""
    { "StepAudio": { "CabinProfile": "{{cabin}}",
      "Audio": { "Source": "raw", "Path": "{{fifo}}", "Format": "s16le" },
      "Mqtt": { "OutboxPath": "{{Path.Combine(dir, "outbox.db")}}", "EmbeddedBroker": { "Port": 0 } } } }
    """);

// The demo recording as s16 frames, looped for the requested stream time.
using var demo = WavFileSource.Open(Path.Combine(root, "deploy", "demo", "demo.wav"));
var samples = new List<float>();
var block = new float[demo.Channels * 1600];
for (int n; (n = demo.Read(block)) > 0;) samples.AddRange(block.AsSpan(0, n * demo.Channels));
var loop = new byte[samples.Count * 2];
for (var i = 0; i < samples.Count; i++) BitConverter.TryWriteBytes(loop.AsSpan(2 * i), (short)Math.Clamp(samples[i] * 32768f, -32768f, 32767f));
var loopSeconds = samples.Count / (double)demo.Channels / demo.SampleRate;

using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(dir, "notify.sock")));
var psi = new ProcessStartInfo(Path.Combine(dir, "systemd")) { RedirectStandardOutput = true, RedirectStandardError = true };
psi.ArgumentList.Add("-c");
psi.ArgumentList.Add($"dotnet '{dll}' run --config-dir '{dir}/none' --config '{config}'{(extraConfig is null ? "" : $" '{extraConfig}'")}; exit $?");
psi.Environment["NOTIFY_SOCKET"] = Path.Combine(dir, "notify.sock");
psi.Environment["Logging__LogLevel__Default"] = "Warning";
// With the unit's environment (deploy/systemd/stepaudio.service); --runtime-gen0 leaves the GC's own gen0 budget, to compare.
if (!args.Contains("--runtime-gen0")) psi.Environment["DOTNET_GCgen0size"] = "0x200000";
var started = Stopwatch.StartNew();
using var shell = Process.Start(psi)!;
var stdout = shell.StandardOutput.ReadToEndAsync();
var stderr = shell.StandardError.ReadToEndAsync();

// READY=1 comes after the input opens, so open the FIFO for writing first (on another thread: it blocks until the service opens it).
var writer = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16));
var buffer = new byte[256];
TimeSpan ready;
while (true)
{
    var n = socket.Receive(buffer);
    if (Encoding.ASCII.GetString(buffer, 0, n).Contains("READY=1", StringComparison.Ordinal))
    {
        ready = started.Elapsed;
        break;
    }
}
var pid = ChildPid(shell.Id);
Console.WriteLine($"READY=1 after {ready.TotalMilliseconds:0} ms (process start to notification, x64 JIT)");

var samplesTaken = new List<(double Stream, double RssMb, double HwmMb, double CpuS)>();
using (var mics = await writer)
{
    var total = minutes * 60;
    double written = 0, nextSample = 0;
    var wall = Stopwatch.StartNew();
    while (written < total)
    {
        try
        {
            mics.Write(loop);
        }
        catch (IOException)
        {
            await shell.WaitForExitAsync();
            Console.Error.WriteLine($"the service stopped reading (exit {shell.ExitCode}):\n" + await stdout + await stderr);
            return 1;
        }
        written += loopSeconds;
        if (written >= nextSample)
        {
            samplesTaken.Add((written, Status(pid, "VmRSS:"), Status(pid, "VmHWM:"), CpuSeconds(pid)));
            nextSample += total / 200;
        }
    }
    mics.Flush();
    Console.WriteLine($"replayed {written / 60:0.0} min of audio in {wall.Elapsed.TotalSeconds:0.0} s wall");
}
await shell.WaitForExitAsync();
if (shell.ExitCode != 0) Console.Error.WriteLine(await stderr);

var steady = samplesTaken.Skip(samplesTaken.Count / 4).ToArray();
var slope = Slope(steady.Select(s => s.Stream / 3600).ToArray(), steady.Select(s => s.RssMb).ToArray());
var cpu = samplesTaken[^1].CpuS - samplesTaken[0].CpuS;
var audio = samplesTaken[^1].Stream - samplesTaken[0].Stream;
Console.WriteLine($"peak RSS (VmHWM) {samplesTaken.Max(s => s.HwmMb):0.0} MB; steady RSS median {Median(steady.Select(s => s.RssMb)):0.0} MB");
Console.WriteLine($"RSS trend over the last three quarters: {slope:+0.00;-0.00} MB per hour of audio");
Console.WriteLine($"CPU {cpu:0.0} s for {audio:0} s of audio: {cpu / audio:0.0000} CPU-seconds per audio second (all stages, all threads)");
Console.WriteLine($"service exit code {shell.ExitCode}");
return shell.ExitCode;

static double Status(int pid, string key)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        if (line.StartsWith(key, StringComparison.Ordinal))
            return double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    return double.NaN;
}

static double CpuSeconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0; // utime + stime in USER_HZ
}

static int ChildPid(int parent)
{
    for (var attempt = 0; attempt < 100; attempt++)
    {
        var children = File.ReadAllText($"/proc/{parent}/task/{parent}/children").Trim();
        if (children.Length > 0) return int.Parse(children.Split(' ')[0], CultureInfo.InvariantCulture);
        Thread.Sleep(10);
    }
    throw new InvalidOperationException("service process not found");
}

static double Median(IEnumerable<double> values)
{
    var v = values.Order().ToArray();
    return v[v.Length / 2];
}

static double Slope(double[] x, double[] y)
{
    double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
    for (var i = 0; i < x.Length; i++)
    {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxy / sxx;
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "StepAudio.Automotive.sln"))) return d.FullName;
    throw new InvalidOperationException("repository root not found");
}
