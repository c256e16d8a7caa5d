namespace StepAudio.Automotive.Emotion;

/// <summary>
/// Prosodic features of one zone's talker over the last few seconds, as measured (not yet compared
/// with the talker's baseline).
/// </summary>
/// <param name="LoudnessDb">Power-mean level of the voiced frames, dBFS: dominated by the vowels, so articulation rate barely changes it.</param>
/// <param name="PitchSemitones">Mean pitch of the voiced frames, semitones above 100 Hz.</param>
/// <param name="PitchRangeSemitones">Standard deviation of the pitch (how lively the intonation is).</param>
/// <param name="TiltDb">Energy of the first difference relative to the signal, dB: higher means a flatter
/// spectrum, which comes with vocal effort.</param>
/// <param name="SyllableRate">Syllable nuclei per second of speech (articulation rate).</param>
/// <param name="PauseRatio">Fraction of the window that is not speech.</param>
/// <param name="SpeechFraction">Fraction of the last second that is speech.</param>
/// <param name="SnrDb">Speech level over the tracked noise floor.</param>
public readonly record struct ProsodyFeatures(
    double LoudnessDb,
    double PitchSemitones,
    double PitchRangeSemitones,
    double TiltDb,
    double SyllableRate,
    double PauseRatio,
    double SpeechFraction,
    double SnrDb);

/// <summary>
/// What the voice says about the talker's state, relative to the talker's own baseline.
/// </summary>
/// <param name="Arousal">0 (subdued) … 0.5 (this talker's usual) … 1 (highly activated).</param>
/// <param name="Agitation">0 calm … 1 clearly agitated (louder, higher, faster, tenser than usual).</param>
/// <param name="Deviation">Weighted deviation from baseline in feature scale units (0 = usual).</param>
/// <param name="Reliability">0 … 1: speech present, SNR and a learned baseline; 0 means "no opinion".</param>
public readonly record struct VoiceEmotion(double Arousal, double Agitation, double Deviation, double Reliability);
