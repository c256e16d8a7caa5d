using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(StepAudio.Automotive.Emotion.Bench.ProsodyBenchmarks).Assembly).Run(args);
