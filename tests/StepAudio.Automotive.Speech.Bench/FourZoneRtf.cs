using System.Diagnostics;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech.Bench;

/// <summary>
/// Four zones' speech stages over the same stretch of stream time, one zone talking all the time
/// (worst case for it) and three with cabin noise. Reports process CPU time and wall time per
/// second of audio, and the GC allocations in steady state.
/// </summary>
internal static class FourZoneRtf
{
    public static void Run(double seconds, ModelPrecision precision = ModelPrecision.Fp32)
    {
        const int rate = 16000, block = 256;
        var store = ModelStore.Default();
        var models = BenchModels.For(store, precision);
        var head = (store.Require("hey_jarvis_v0.1"), new WakeWordOptions());
        string[] names = ["driver", "front-passenger", "rear-left", "rear-right"];
        var zones = names.Select(n => new ZoneSpeech(n, models, [head], new InferenceOptions())).ToArray();
        var speech = ZoneSpeechBenchmarks.Espeak("set the temperature to twenty two degrees and then play some music on the radio please, hey jarvis");
        var rng = new Random(1);
        var noise = new float[rate * 3];
        for (var i = 0; i < noise.Length; i++) noise[i] = (float)(0.003 * ((2 * rng.NextDouble()) - 1));

        void Feed(double secs)
        {
            var total = (long)(secs * rate);
            int s = 0, q = 0;
            for (long n = 0; n < total; n += block)
            {
                if (s + block > speech.Length) s = 0;
                if (q + block > noise.Length) q = 0;
                zones[0].Process(speech.AsSpan(s, block));
                for (var z = 1; z < zones.Length; z++) zones[z].Process(noise.AsSpan(q, block));
                s += block;
                q += block;
            }
        }

        Feed(3); // warm: JIT, caches, gates settled
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var wall = Stopwatch.StartNew();
        Feed(seconds);
        wall.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        var alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        Console.WriteLine($"4 zones (1 talking, 3 noise), {seconds:F0} s of audio, {precision} embedding");
        Console.WriteLine($"  CPU RTF  {cpu / seconds:F4}  ({cpu:F2} CPU-s)");
        Console.WriteLine($"  wall RTF {wall.Elapsed.TotalSeconds / seconds:F4}  (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Console.WriteLine($"  active steps: {string.Join(", ", zones.Select(z => $"{z.Zone} {100.0 * z.ActiveSteps / z.Steps:F0}%"))}");
        Console.WriteLine($"  allocated {alloc} B in steady state");
        foreach (var z in zones) z.Dispose();
    }
}
