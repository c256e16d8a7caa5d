using BenchmarkDotNet.Running;
using StepAudio.Automotive.Speech.Bench;

// `rtf`: CPU seconds per second of audio for four zones (robust on a shared, loaded machine);
// anything else goes to BenchmarkDotNet (e.g. --filter '*').
if (args.Length > 0 && args[0] == "rtf")
{
    FourZoneRtf.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(ZoneSpeechBenchmarks).Assembly).Run(args);
