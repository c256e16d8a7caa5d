using BenchmarkDotNet.Running;
using StepAudio.Automotive.Speech.Bench;

// `rtf [seconds] [fp32|int8]`: CPU seconds per second of audio for four zones (robust on a shared, loaded machine);
// `cpu-per-call [calls]`: CPU time per call of each model, FP32 and INT8 alternating;
// `int8-accuracy [embedding.int8.onnx|default] [wake-head.onnx] [command-head.onnx]`: FP32 against INT8
// decisions, scores and embeddings on held-out TTS clips;
// anything else goes to BenchmarkDotNet (e.g. --filter '*').
if (args.Length > 0 && args[0] == "rtf")
{
    FourZoneRtf.Run(
        args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60,
        args.Length > 2 ? Enum.Parse<StepAudio.Automotive.Inference.ModelPrecision>(args[2], ignoreCase: true) : StepAudio.Automotive.Inference.ModelPrecision.Fp32);
    return;
}
if (args.Length > 0 && args[0] == "cpu-per-call")
{
    PrecisionCpuTime.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400);
    return;
}
if (args.Length > 0 && args[0] == "int8-accuracy")
{
    Int8Accuracy.Run(args.Length > 1 ? args[1] : null, args.Length > 2 ? args[2] : null, args.Length > 3 ? args[3] : null);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(ZoneSpeechBenchmarks).Assembly).Run(args);
