using Microsoft.Extensions.Options;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Spatial;

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
        try
        {
            SpatialOptions.ParseBeamformer(options.Spatial.Beamformer, "StepAudio:Spatial:Beamformer");
        }
        catch (InvalidInputException e)
        {
            failures.Add(e.Message);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
