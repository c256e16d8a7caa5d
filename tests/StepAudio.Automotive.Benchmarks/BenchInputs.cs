using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Benchmarks;

/// <summary>What every benchmark here sets up alike: the repository's cabin profiles and a sink that drops events.</summary>
internal static class BenchInputs
{
    public static CabinProfile Cabin(string name)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "StepAudio.Automotive.sln"))) root = Path.GetDirectoryName(root)!;
        return CabinProfileReader.Load(Path.Combine(root, "deploy", "cabins", name + ".json"));
    }

    public sealed class NullSink : IEventSink
    {
        public void Publish(CabinEvent e)
        {
        }
    }
}
