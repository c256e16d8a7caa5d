using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(StepAudio.Automotive.Vision.Bench.VisionBenchmarks).Assembly).Run(args);
