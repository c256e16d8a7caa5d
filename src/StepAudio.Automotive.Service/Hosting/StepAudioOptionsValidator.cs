using Microsoft.Extensions.Options;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>Checks the configuration at start, so a mistake stops the service with a message naming the setting.</summary>
public sealed class StepAudioOptionsValidator : IValidateOptions<StepAudioOptions>
{
    public ValidateOptionsResult Validate(string? name, StepAudioOptions options)
    {
        var failures = new List<string>();
        CabinProfile? profile = null;
        try
        {
            profile = CabinProfileReader.Load(options.CabinProfile);
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
                if (audio.AlsaConfig is not null && !File.Exists(audio.AlsaConfig)) failures.Add($"StepAudio:Audio:AlsaConfig: {audio.AlsaConfig}: file not found");
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
        if (AudioInputOptions.EchoReferencesProblem(audio.EchoReferences) is { } references)
            failures.Add($"StepAudio:Audio:EchoReferences: {references}");
        var video = options.Video;
        switch (video.Source)
        {
            case "none":
                break;
            case "v4l2":
            case "y4m":
            case "raw":
                if (video.Source == "v4l2" && string.IsNullOrWhiteSpace(video.Device)) failures.Add("StepAudio:Video:Device: a V4L2 device is required");
                if (video.Source != "v4l2" && string.IsNullOrWhiteSpace(video.Path)) failures.Add($"StepAudio:Video:Path: required for the {video.Source} source");
                else if (video.Source == "y4m" && !File.Exists(video.Path)) failures.Add($"StepAudio:Video:Path: {video.Path}: file not found");
                if (video.Source != "y4m")
                {
                    if (profile?.Camera is null && (video.Width is null || video.Height is null)) failures.Add("StepAudio:Video:Width/Height: required when the cabin profile has no camera section");
                    if (video.FrameRate is < 1 or > 240) failures.Add($"StepAudio:Video:FrameRate: {video.FrameRate} must be in [1, 240]");
                    try
                    {
                        VideoPixelFormatExtensions.Parse(video.Format, "StepAudio:Video:Format");
                    }
                    catch (InvalidInputException e)
                    {
                        failures.Add(e.Message);
                    }
                }
                break;
            default:
                failures.Add($"StepAudio:Video:Source: '{video.Source}' is not a source (use none, v4l2, y4m or raw)");
                break;
        }
        ValidateGpio(options.Gpio, profile, failures);
        failures.AddRange(options.Mqtt.Validate("StepAudio:Mqtt"));
        failures.AddRange(options.Commands.Validate("StepAudio:Commands"));
        failures.AddRange(options.WakeGate.Validate("StepAudio:WakeGate"));
        failures.AddRange(options.WakeVerifier.Validate("StepAudio:WakeVerifier"));
        var inference = options.Inference;
        foreach (var p in inference.Providers)
            if (p.Trim().ToLowerInvariant() is not (InferenceOptions.TensorRt or InferenceOptions.Cuda or InferenceOptions.Cpu))
                failures.Add($"StepAudio:Inference:Providers: '{p}' is not an execution provider (use tensorrt, cuda, cpu)");
        if (inference.IntraOpThreads < 1) failures.Add($"StepAudio:Inference:IntraOpThreads: {inference.IntraOpThreads} must be at least 1");
        if (inference.TensorRtSettings.DlaCore is < 0 or > 1) failures.Add($"StepAudio:Inference:TensorRtSettings:DlaCore: {inference.TensorRtSettings.DlaCore} is not a DLA core (Orin has 0 and 1)");
        failures.AddRange(options.Spatial.Validate("StepAudio:Spatial"));
        foreach (var check in new Action[] { () => options.Emotion.Validate(), () => options.Escalation.Validate() })
        {
            try
            {
                check();
            }
            catch (InvalidInputException e)
            {
                failures.Add(e.Message);
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateGpio(GpioOptions gpio, CabinProfile? profile, List<string> failures)
    {
        if (!gpio.Enabled) return;
        int?[] pins = [gpio.PushToTalkPin, gpio.PrivacySwitchPin, gpio.StatusLedPin];
        if (pins.All(p => p is null)) failures.Add("StepAudio:Gpio: enabled, but no PushToTalkPin, PrivacySwitchPin or StatusLedPin is set");
        if (pins.Any(p => p < 0)) failures.Add("StepAudio:Gpio: pin numbers are line offsets on the chip and cannot be negative");
        if (pins.OfType<int>().GroupBy(p => p).Any(g => g.Count() > 1)) failures.Add("StepAudio:Gpio: two functions share one pin");
        if (gpio.Chip < 0 || !File.Exists($"/dev/gpiochip{gpio.Chip}")) failures.Add($"StepAudio:Gpio:Chip: /dev/gpiochip{gpio.Chip} does not exist");
        if (gpio.PushToTalkPin is not null && profile is not null && profile.Zones.All(z => z.Name != gpio.PushToTalkZone))
            failures.Add($"StepAudio:Gpio:PushToTalkZone: '{gpio.PushToTalkZone}' is not a zone of cabin '{profile.Name}'");
    }
}
