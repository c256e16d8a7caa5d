using System.Diagnostics;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Speech.Bench;

/// <summary>
/// The same calls as <see cref="PrecisionBenchmarks"/>, timed in process CPU time instead of wall time:
/// on a shared, loaded machine the CPU a call costs is steadier than how long it waited for a core.
/// FP32 and INT8 alternate in rounds so that both see the same load.
/// </summary>
internal static class PrecisionCpuTime
{
    public static void Run(int calls)
    {
        var benches = new[] { ModelPrecision.Fp32, ModelPrecision.Int8 }.Select(p => new PrecisionBenchmarks { Precision = p }).ToArray();
        foreach (var b in benches) b.Setup();
        var embedding = new double[2];
        var head = new double[2];
        const int rounds = 5;
        for (var r = 0; r < rounds; r++)
            for (var k = 0; k < 2; k++)
            {
                embedding[k] += Cpu(() => benches[k].EmbeddingCall(), calls);
                head[k] += Cpu(() => benches[k].HeadCall(), calls * 4);
            }
        Console.WriteLine($"CPU time per call, mean of {rounds} rounds × {calls} calls (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        Console.WriteLine("| model | FP32 | INT8 | speed-up |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| embedding | {embedding[0] / rounds:F3} ms | {embedding[1] / rounds:F3} ms | {embedding[0] / embedding[1]:F2}× |");
        Console.WriteLine($"| hey_jarvis head | {head[0] / rounds:F3} ms | {head[1] / rounds:F3} ms | {head[0] / head[1]:F2}× |");
        foreach (var b in benches) b.Cleanup();
    }

    private static double Cpu(Func<float> call, int calls)
    {
        var process = Process.GetCurrentProcess();
        var start = process.TotalProcessorTime;
        for (var i = 0; i < calls; i++) call();
        process.Refresh();
        return (process.TotalProcessorTime - start).TotalMilliseconds / calls;
    }
}
