using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(StepAudio.Automotive.Speech.Bench.ZoneSpeechBenchmarks).Assembly).Run(args);
