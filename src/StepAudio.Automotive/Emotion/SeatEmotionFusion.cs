using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Emotion;

/// <summary>
/// One seat's voice and face emotion combined with dynamic weights: each modality counts by its
/// reliability right now (speech present and SNR for the voice; face found, frontal, exposed for
/// the face), so with either missing the other carries alone. The face stream is smoothed here;
/// the voice is already a windowed estimate. Emits an <see cref="EmotionEvent"/> at most once per
/// second while the estimate changes. Driven by stream time.
/// </summary>
public sealed class SeatEmotionFusion
{
    /// <summary>Agitation at which the label becomes agitated (or angry with an angry face).</summary>
    public const double AgitatedAt = 0.6;

    private const double FaceTimeConstant = 0.5;
    // The vision stage measures a seat's expression every 0.67 s (CabinVision: every 10th look, every 2nd frame
    // at 30 fps); a face must outlive that cadence or it drops out of every other estimate.
    private const double FaceStaleSeconds = 1.0;
    private const double VoiceStaleSeconds = 1.0;
    private const double ObservedSeconds = 0.15;
    private const double MinEmitInterval = 1.0;
    private const double ChangeStep = 0.1;

    private VoiceEmotion _voice;
    private double _voiceTime = double.NegativeInfinity;
    private readonly double[] _face = new double[FaceExpression.Count];
    private double _faceReliability;
    private double _faceTime = double.NegativeInfinity;

    private string? _lastLabel;
    private double _lastArousal;
    private double _lastAgitation;
    private double _lastEmit = double.NegativeInfinity;

    public SeatEmotionFusion(string zone)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zone);
        Zone = zone;
    }

    public string Zone { get; }

    /// <summary>The zone's newest voice estimate (from its <see cref="ProsodyAnalyzer"/>) at stream time <paramref name="t"/>.</summary>
    public void Voice(in VoiceEmotion voice, double t)
    {
        _voice = voice;
        _voiceTime = t;
    }

    /// <summary>A face expression for this seat at stream time <paramref name="t"/>; smoothed with a 0.5 s time constant.</summary>
    public void Face(in FaceExpression face, double t)
    {
        if (face.Problem() is { } problem) throw new InvalidInputException($"face expression for seat '{Zone}'", problem);
        var a = double.IsNegativeInfinity(_faceTime) || _faceReliability <= 0
            ? 1
            : 1 - Math.Exp(-Math.Max(0, t - _faceTime) / FaceTimeConstant);
        for (var i = 0; i < FaceExpression.Count; i++) _face[i] += a * (face[i] - _face[i]);
        _faceReliability += a * (face.Reliability - _faceReliability);
        _faceTime = t;
    }

    /// <summary>The fused estimate at stream time <paramref name="t"/>; a modality not updated recently counts zero.</summary>
    public FusedEmotion Fuse(double t)
    {
        var voiceReliability = t - _voiceTime <= VoiceStaleSeconds ? _voice.Reliability : 0;
        var faceReliability = t - _faceTime <= FaceStaleSeconds ? _faceReliability : 0;
        var face = new FaceExpression(_face[0], _face[1], _face[2], _face[3], _face[4], _face[5], _face[6], faceReliability);
        var total = voiceReliability + faceReliability;
        if (total <= 1e-6) return new FusedEmotion(0.5, 0, null, 0, 0, _voice, face) { Observed = false };
        var wv = voiceReliability / total;
        var wf = faceReliability / total;
        return new FusedEmotion(
            wv * _voice.Arousal + wf * face.Arousal,
            wv * _voice.Agitation + wf * face.Agitation,
            wf > 0 ? face.Valence : null,
            wv,
            wf,
            _voice,
            face)
        {
            Observed = (voiceReliability > 0 && t - _voiceTime <= ObservedSeconds) || (faceReliability > 0 && t - _faceTime <= ObservedSeconds),
        };
    }

    /// <summary>The label for an estimate and how confident it is.</summary>
    public static (string Label, double Confidence) Label(in FusedEmotion e)
    {
        if (!e.Known) return ("unknown", 0);
        var faceTop = e.FaceWeight > 0 ? e.Face.Top : 0;
        if (e.Agitation >= AgitatedAt)
            return (faceTop == 6 ? "angry" : "agitated", e.Agitation);
        // Only the face tells these apart; the voice alone says calm or agitated, nothing finer.
        if (e.FaceWeight >= 0.3 && faceTop != 0 && e.Face[faceTop] >= 0.5)
        {
            var label = faceTop switch { 1 => "happy", 2 => "sad", 3 => "surprised", 4 => "distressed", _ => "tense" };
            return (label, e.Face[faceTop] * e.FaceWeight + (1 - e.FaceWeight) * 0.5);
        }
        return ("calm", 1 - e.Agitation);
    }

    /// <summary>
    /// An event when the estimate has changed (label, or arousal or agitation by 0.1) and the last one
    /// is at least a second old; otherwise null.
    /// </summary>
    public EmotionEvent? Emit(double t)
    {
        if (t - _lastEmit < MinEmitInterval) return null;
        var e = Fuse(t);
        if (!e.Known) return null;
        var (label, confidence) = Label(e);
        if (label == _lastLabel && Math.Abs(e.Arousal - _lastArousal) < ChangeStep && Math.Abs(e.Agitation - _lastAgitation) < ChangeStep)
            return null;
        _lastLabel = label;
        _lastArousal = e.Arousal;
        _lastAgitation = e.Agitation;
        _lastEmit = t;
        return new EmotionEvent(Zone, label, CabinEvent.Round(confidence), CabinEvent.Round(t))
        {
            Arousal = CabinEvent.Round(e.Arousal),
            Agitation = CabinEvent.Round(e.Agitation),
            Valence = e.Valence is { } v ? CabinEvent.Round(v) : null,
            Voice = e.VoiceWeight > 0
                ? new EmotionModality(CabinEvent.Round(e.VoiceWeight), CabinEvent.Round(e.Voice.Reliability), CabinEvent.Round(e.Voice.Arousal), CabinEvent.Round(e.Voice.Agitation), null)
                : null,
            Face = e.FaceWeight > 0
                ? new EmotionModality(CabinEvent.Round(e.FaceWeight), CabinEvent.Round(e.Face.Reliability), CabinEvent.Round(e.Face.Arousal), CabinEvent.Round(e.Face.Agitation), CabinEvent.Round(e.Face.Valence))
                : null,
        };
    }
}
