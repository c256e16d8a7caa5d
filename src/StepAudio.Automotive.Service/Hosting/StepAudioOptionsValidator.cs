using Microsoft.Extensions.Options;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>Checks the configuration at start, so a mistake stops the service with a message naming the setting.</summary>
public sealed class StepAudioOptionsValidator : IValidateOptions<StepAudioOptions>
{
    public ValidateOptionsResult Validate(string? name, StepAudioOptions options)
    {
        var failures = new List<string>();
        try
        {
            CabinProfileReader.Load(options.CabinProfile);
        }
        catch (InvalidInputException e)
        {
            failures.Add($"StepAudio:CabinProfile: {e.Message}");
        }

        var audio = options.Audio;
        switch (audio.Source)
        {
            case "alsa":
                if (string.IsNullOrWhiteSpace(audio.Device)) failures.Add("StepAudio:Audio:Device: an ALSA device name is required");
                if (audio.Format is not ("s16le" or "s32le")) failures.Add($"StepAudio:Audio:Format: '{audio.Format}' is not captured from ALSA (use s16le or s32le)");
                break;
            case "wav":
            case "raw":
                if (string.IsNullOrWhiteSpace(audio.Path)) failures.Add($"StepAudio:Audio:Path: required for the {audio.Source} source");
                else if (audio.Path != "-" && !File.Exists(audio.Path)) failures.Add($"StepAudio:Audio:Path: {audio.Path}: file not found");
                if (audio.Source == "raw")
                {
                    try
                    {
                        PcmSampleFormatExtensions.Parse(audio.Format, "StepAudio:Audio:Format");
                    }
                    catch (InvalidInputException e)
                    {
                        failures.Add(e.Message);
                    }
                }
                break;
            default:
                failures.Add($"StepAudio:Audio:Source: '{audio.Source}' is not a source (use alsa, wav or raw)");
                break;
        }
        var inference = options.Inference;
        foreach (var p in inference.Providers)
            if (p.Trim().ToLowerInvariant() is not (InferenceOptions.TensorRt or InferenceOptions.Cuda or InferenceOptions.Cpu))
                failures.Add($"StepAudio:Inference:Providers: '{p}' is not an execution provider (use tensorrt, cuda, cpu)");
        if (inference.IntraOpThreads < 1) failures.Add($"StepAudio:Inference:IntraOpThreads: {inference.IntraOpThreads} must be at least 1");
        if (inference.TensorRtSettings.DlaCore is < 0 or > 1) failures.Add($"StepAudio:Inference:TensorRtSettings:DlaCore: {inference.TensorRtSettings.DlaCore} is not a DLA core (Orin has 0 and 1)");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
