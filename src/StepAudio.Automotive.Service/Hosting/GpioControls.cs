using System.Device.Gpio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Pipeline;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>
/// The head unit's push-to-talk button, hardware privacy switch and status LED, through
/// System.Device.Gpio (libgpiod on the device). Button and switch changes go to the pipeline's
/// <see cref="ListeningControl"/>; the LED follows the latest status.
/// </summary>
public sealed partial class GpioControls(
    GpioOptions options,
    GpioController gpio,
    ListeningControl listening,
    PipelineHeartbeat heartbeat,
    TimeProvider time,
    ILogger<GpioControls> logger) : BackgroundService
{
    /// <summary>Half the blink period of the LED when degraded or starting.</summary>
    public static readonly TimeSpan LedTick = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private long _lastPress = long.MinValue;
    private long _started;

    private PinValue Active => options.ActiveLow ? PinValue.Low : PinValue.High;

    /// <summary>Opens the pins and applies the privacy switch's current position before audio is processed.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _started = time.GetTimestamp();
        if (options.PushToTalkPin is int ptt)
        {
            OpenInput(ptt);
            gpio.RegisterCallbackForPinValueChangedEvent(ptt, options.ActiveLow ? PinEventTypes.Falling : PinEventTypes.Rising, OnPushToTalk);
        }
        if (options.PrivacySwitchPin is int privacy)
        {
            OpenInput(privacy);
            gpio.RegisterCallbackForPinValueChangedEvent(privacy, PinEventTypes.Falling | PinEventTypes.Rising, OnPrivacySwitch);
            ApplyPrivacySwitch();
        }
        if (options.StatusLedPin is int led) gpio.OpenPin(led, PinMode.Output, PinValue.Low);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.StatusLedPin is not int led) return;
        using var timer = new PeriodicTimer(LedTick, time);
        try
        {
            do UpdateLed(led);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            gpio.Write(led, PinValue.Low);
        }
    }

    /// <summary>On while listening, off while every zone is muted (the occupants can see the microphones are off), blinking otherwise.</summary>
    internal void UpdateLed(int led)
    {
        var status = heartbeat.LastStatus;
        // The blink phase follows the clock, not a call count: the timer and a caller agree.
        var blinkOn = time.GetElapsedTime(_started).Ticks / LedTick.Ticks % 2 == 0;
        bool on;
        if (listening.AllMuted) on = false;
        else if (status is { State: "running" }) on = true;
        else on = blinkOn;
        gpio.Write(led, on ? PinValue.High : PinValue.Low);
    }

    private void OpenInput(int pin)
    {
        var mode = options.ActiveLow && gpio.IsPinModeSupported(pin, PinMode.InputPullUp) ? PinMode.InputPullUp
            : !options.ActiveLow && gpio.IsPinModeSupported(pin, PinMode.InputPullDown) ? PinMode.InputPullDown
            : PinMode.Input;
        gpio.OpenPin(pin, mode);
    }

    private void OnPushToTalk(object sender, PinValueChangedEventArgs e)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (_lastPress != long.MinValue && time.GetElapsedTime(_lastPress, now).TotalMilliseconds < options.DebounceMilliseconds) return;
            _lastPress = now;
        }
        LogPushToTalk(logger, options.PushToTalkZone);
        listening.PushToTalk(options.PushToTalkZone);
    }

    // Bounces only repeat the same read: the level after the edge is the switch's position.
    private void OnPrivacySwitch(object sender, PinValueChangedEventArgs e) => ApplyPrivacySwitch();

    private void ApplyPrivacySwitch()
    {
        var on = gpio.Read(options.PrivacySwitchPin!.Value) == Active;
        if (on == listening.PrivacySwitch) return;
        LogPrivacy(logger, on ? "on: not listening" : "off: listening");
        listening.SetPrivacySwitch(on);
    }

    public override void Dispose()
    {
        gpio.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push-to-talk pressed for {Zone}")]
    private static partial void LogPushToTalk(ILogger logger, string zone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Privacy switch {State}")]
    private static partial void LogPrivacy(ILogger logger, string state);
}
