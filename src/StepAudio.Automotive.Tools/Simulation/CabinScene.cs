using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// What happens in a simulated cabin: who says what, when, over how much road noise. Read one from
/// JSON with <see cref="CabinSceneReader"/> or build one in code; render it with <see cref="CabinSimulator"/>.
/// </summary>
public sealed class CabinScene
{
    /// <summary>Active speech level of a talker's dry speech, dBFS, as heard 1 m from the mouth.</summary>
    public const double DefaultSpeechLevelDbfs = -35;

    /// <summary>35 dB below the speech level, as a MEMS microphone's self-noise is below conversational speech at 1 m.</summary>
    public const double DefaultSensorNoiseDbfs = -70;

    public required CabinProfile Cabin { get; init; }

    public double DurationSeconds { get; init; } = 10;

    /// <summary>Overrides the profile's interior RT60; null keeps it.</summary>
    public double? Rt60Seconds { get; init; }

    /// <summary>Seeds the noise field, so a scene renders to the same samples every time.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Diffuse road/fan noise; null for none.</summary>
    public SceneNoise? Noise { get; init; }

    public double SpeechLevelDbfs { get; init; } = DefaultSpeechLevelDbfs;

    /// <summary>
    /// RMS of each microphone's own white self-noise, dBFS, independent between microphones; null for
    /// none. Real microphones are never digitally silent (and the health monitor calls silence dead).
    /// </summary>
    public double? SensorNoiseDbfs { get; init; } = DefaultSensorNoiseDbfs;

    public IReadOnlyList<SceneEvent> Events { get; init; } = [];
}

/// <summary>Diffuse noise mixed at <paramref name="SnrDb"/> below the talkers' active speech level at the microphones.</summary>
public sealed record SceneNoise(double SnrDb, int Sources = DiffuseNoiseField.DefaultSources);

/// <summary>Who produces an event's sound: a seat's occupant or a loudspeaker (radio, phone).</summary>
public enum SceneSourceKind
{
    Talker,
    Loudspeaker,
}

/// <summary>
/// One utterance: <see cref="Text"/> spoken by a TTS <see cref="Voice"/> from a zone's mouth position
/// (plus <see cref="Offset"/>) or from a loudspeaker, starting at <see cref="StartSeconds"/>.
/// Instead of text, a recording can be played (<see cref="AudioPath"/>, its first channel, resampled to
/// 16 kHz), or code can give a dry <see cref="Signal"/> at 16 kHz.
/// </summary>
public sealed record SceneEvent
{
    public required SceneSourceKind Kind { get; init; }

    /// <summary>Zone name for a talker, loudspeaker name for a loudspeaker, as in the cabin profile.</summary>
    public required string Source { get; init; }

    public double StartSeconds { get; init; }

    public string Text { get; init; } = "";

    public string Voice { get; init; } = TextToSpeech.DefaultVoice;

    /// <summary>Speaking-rate factor, 1 = the voice's normal.</summary>
    public double Rate { get; init; } = 1.0;

    /// <summary>Pitch factor, 1 = the voice's normal.</summary>
    public double Pitch { get; init; } = 1.0;

    /// <summary>Level relative to the scene's speech level, dB.</summary>
    public double GainDb { get; init; }

    /// <summary>Moves a talker's mouth from the zone's position (a leaning or taller occupant), metres.</summary>
    public Point3 Offset { get; init; }

    /// <summary>WAV recording to emit instead of rendering <see cref="Text"/>.</summary>
    public string? AudioPath { get; init; }

    /// <summary>Dry source signal at 16 kHz to use instead of rendering <see cref="Text"/>.</summary>
    public float[]? Signal { get; init; }
}
