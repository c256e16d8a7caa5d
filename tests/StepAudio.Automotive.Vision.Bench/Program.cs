using BenchmarkDotNet.Running;

if (args is ["int8-accuracy", .. var variants])
{
    StepAudio.Automotive.Vision.Bench.Int8Accuracy.Run(variants);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(StepAudio.Automotive.Vision.Bench.VisionBenchmarks).Assembly).Run(args);
