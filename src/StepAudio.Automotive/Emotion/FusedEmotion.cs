namespace StepAudio.Automotive.Emotion;

/// <summary>
/// A seat's emotion estimate from voice and face, each weighted by its current reliability.
/// <see cref="VoiceWeight"/> + <see cref="FaceWeight"/> is 1 when any modality has an opinion, 0 when none has.
/// </summary>
public readonly record struct FusedEmotion(
    double Arousal,
    double Agitation,
    double? Valence,
    double VoiceWeight,
    double FaceWeight,
    VoiceEmotion Voice,
    FaceExpression Face)
{
    public bool Known => VoiceWeight + FaceWeight > 0;

    /// <summary>
    /// A modality observed the seat just now (speech analysed or a face frame within the last
    /// 150 ms); false while a recent estimate is only held through a pause.
    /// </summary>
    public bool Observed { get; init; } = true;
}
