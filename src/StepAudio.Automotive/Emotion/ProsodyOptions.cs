namespace StepAudio.Automotive.Emotion;

/// <summary>Tuning of <see cref="ProsodyAnalyzer"/>; the defaults are what the tests and README measure.</summary>
public sealed class ProsodyOptions
{
    /// <summary>Seconds of history the features describe.</summary>
    public double WindowSeconds { get; set; } = 3;

    /// <summary>
    /// Seconds of speech before the talker's baseline is trusted (voice reliability is 0 until then).
    /// 6 s: a baseline from one sentence was often off by more than the cues' scale (in the cabin
    /// simulator, 3 s left one agitated talker 9 s late and let calm talkers reach agitation 0.7).
    /// </summary>
    public double BaselineSpeechSeconds { get; set; } = 6;

    /// <summary>Time constant of the baseline once learned; it follows slowly and barely moves while the talker deviates.</summary>
    public double BaselineTimeConstantSeconds { get; set; } = 60;

    /// <summary>
    /// A frame counts as speech when it is this far over the noise floor. 4 dB: the pipeline only feeds
    /// frames the zone tracker attributes to the seat, and in road noise a higher bar keeps only the
    /// loudest vowels, which makes the features follow loudness; at 6 dB a quiet rear talker at 10 dB SNR
    /// (flite kal16) had too few speech frames in 20 s of calm talk to learn a baseline before its outburst.
    /// </summary>
    public double SpeechOverFloorDb { get; set; } = 4;

    /// <summary>Absolute level under which nothing is speech, dBFS.</summary>
    public double SilenceDb { get; set; } = -65;

    public void Validate(string section = "StepAudio:Emotion:Prosody")
    {
        if (WindowSeconds is < 1 or > 10) throw new InvalidInputException(section, $"WindowSeconds {WindowSeconds} must be in [1, 10]");
        if (BaselineSpeechSeconds is < 0.5 or > 60) throw new InvalidInputException(section, $"BaselineSpeechSeconds {BaselineSpeechSeconds} must be in [0.5, 60]");
        if (BaselineTimeConstantSeconds < BaselineSpeechSeconds) throw new InvalidInputException(section, "BaselineTimeConstantSeconds must be at least BaselineSpeechSeconds");
        if (SpeechOverFloorDb is < 3 or > 40) throw new InvalidInputException(section, $"SpeechOverFloorDb {SpeechOverFloorDb} must be in [3, 40]");
    }
}
