namespace StepAudio.Automotive.Speech;

/// <summary>
/// Whether a wake word the keyword head fired was said (configuration section <c>StepAudio:WakeVerifier</c>):
/// the transcriber that decides commands scores the keyword's words ("Hey Jarvis", from the keyword name
/// <c>hey_jarvis</c>) as the beginning of the zone's talk, from the talk's onset to <see cref="DelaySeconds"/>
/// after the head fired. Every false intent in calm talk followed a false wake word: the head fires on
/// chatter that only sounds like the keyword, which the transcriber hears as the words they are. The wake
/// event and the command window wait for it (the window listens from the keyword on meanwhile). Needs the
/// transcriber (<c>StepAudio:Commands:Recognizer</c> <c>transcriber</c>); with the command head alone nothing is verified.
/// </summary>
public sealed class WakeVerifier
{
    private readonly Dictionary<string, int[][]> _writings = new(StringComparer.Ordinal);
    private float[] _scores = [];

    /// <summary>Verify wake words at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The keyword's least mean log-likelihood per token (nats) that passes (README, Wake verification).</summary>
    public double MinScore { get; set; } = -7.0;

    /// <summary>Audio after the head fired that is heard too: the head fires while the keyword's last syllable is still being said.</summary>
    public double DelaySeconds { get; set; } = 0.24;

    /// <summary>The longest audio before the head fired that is scored (the keyword is about a second long): used when the talk began earlier, or no onset is known.</summary>
    public double LeadSeconds { get; set; } = 1.5;

    /// <summary>The text the last verification heard.</summary>
    public string LastTranscript { get; private set; } = "";

    /// <summary>That text's mean log-likelihood per token.</summary>
    public float LastHeardAverage { get; private set; }

    /// <summary>
    /// The best mean log-likelihood per token of the keyword's writings ("Hey Jarvis", "Hey, Jarvis") as the
    /// beginning of <paramref name="audio"/> (16 kHz, [-1, 1]).
    /// </summary>
    public float Score(SpeechTranscriber transcriber, string keyword, ReadOnlySpan<float> audio)
    {
        if (!_writings.TryGetValue(keyword, out var writings))
        {
            var words = keyword.Replace('_', ' ').Trim();
            var sentence = char.ToUpperInvariant(words[0]) + words[1..];
            var space = sentence.IndexOf(' ', StringComparison.Ordinal);
            string[] texts = space < 0 ? [sentence] : [sentence, sentence[..space] + "," + sentence[space..]];
            writings = [.. texts.Select(transcriber.Vocabulary.Encode)];
            _writings[keyword] = writings;
        }
        if (_scores.Length < writings.Length) _scores = new float[writings.Length];
        var scores = _scores.AsSpan(0, writings.Length);
        var heard = transcriber.Recognize(audio, writings, scores, ending: false);
        LastTranscript = heard.Text;
        LastHeardAverage = heard.LogProb / heard.Tokens;
        var best = float.NegativeInfinity;
        for (var i = 0; i < writings.Length; i++) best = Math.Max(best, scores[i] / writings[i].Length);
        return best;
    }

    /// <summary>True when a keyword <see cref="Score"/> passes.</summary>
    public bool Accepts(float score) => score >= MinScore;

    /// <summary>The problems with these settings, each naming its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (!(MinScore is >= -30 and <= 0)) yield return $"{section}:MinScore: {MinScore} must be between -30 and 0 (nats per token)";
        if (!(DelaySeconds is >= 0 and <= 1)) yield return $"{section}:DelaySeconds: {DelaySeconds} must be between 0 and 1";
        if (!(LeadSeconds is >= 0.5 and <= CommandRecognizer.HistorySeconds - 1))
            yield return $"{section}:LeadSeconds: {LeadSeconds} must be between 0.5 and {CommandRecognizer.HistorySeconds - 1}";
    }
}
