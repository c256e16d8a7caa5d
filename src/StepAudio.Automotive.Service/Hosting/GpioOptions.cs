namespace StepAudio.Automotive.Service.Hosting;

/// <summary>Head-unit buttons and LED on GPIO (section <c>StepAudio:Gpio</c>); pins are line offsets on the chip.</summary>
public sealed class GpioOptions
{
    public bool Enabled { get; set; }

    /// <summary>gpiochip number (<c>/dev/gpiochipN</c>).</summary>
    public int Chip { get; set; }

    /// <summary>Push-to-talk button: acts like a wake word in <see cref="PushToTalkZone"/>.</summary>
    public int? PushToTalkPin { get; set; }

    public string PushToTalkZone { get; set; } = "driver";

    /// <summary>Hardware privacy switch: while on, every zone is muted.</summary>
    public int? PrivacySwitchPin { get; set; }

    /// <summary>Status LED: on while listening, off while muted, blinking while degraded or starting.</summary>
    public int? StatusLedPin { get; set; }

    /// <summary>Inputs pull up and read low when pressed/on (the usual switch-to-ground wiring).</summary>
    public bool ActiveLow { get; set; } = true;

    /// <summary>Contact bounce shorter than this is ignored.</summary>
    public int DebounceMilliseconds { get; set; } = 30;
}
