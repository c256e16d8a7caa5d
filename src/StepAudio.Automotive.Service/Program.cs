using StepAudio.Automotive;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Service.Cli;

// Before any ONNX Runtime type is touched: on Jetson, JetPack's TensorRT-enabled build.
try
{
    OnnxRuntimeLibrary.UseFromEnvironment();
}
catch (InvalidInputException e)
{
    await Console.Error.WriteLineAsync($"stepaudio: {e.Message}");
    return ExitCodes.BadInput;
}
return await StepAudioCli.InvokeAsync(args, Console.Out, Console.Error);
