using System.Globalization;

namespace StepAudio.Automotive.Speech;

/// <summary>
/// Commands by the transcriber, constrained to the grammar: every phrase (as Moonshine writes a
/// sentence: capital first letter, full stop; numbers also as digits) is scored by its likelihood
/// under the decoder for the utterance's audio, and the best one is the command when it is nearly as
/// likely as what the decoder hears unconstrained (its greedy transcript): a command said oddly still
/// wins, talk that is no command leaves every phrase far behind. The command head's probabilities at the
/// utterance's end, when given, weigh in (<see cref="CommandOptions.HeadWeight"/>). Classes are the command head's:
/// 0 none, k the grammar's phrase k − 1. Owns the transcriber.
/// </summary>
public sealed class CommandTranscriber : IDisposable
{
    private static readonly string[] Numbers =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
         "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    private readonly SpeechTranscriber _transcriber;
    private readonly List<int[]> _candidates = [];
    private readonly List<int> _classOf = [];
    private readonly float[] _scores;
    private readonly float[] _best;
    private readonly int[] _bestCandidate;
    private readonly float[] _average;
    private readonly float[] _limit;

    /// <param name="phrases">The spoken phrase of each class from 1 on (class 0 is none): a command head's labels, or a grammar's phrases.</param>
    /// <param name="escalates">Per phrase, whether its intent escalates to a human (held to <see cref="CommandOptions.EscalationMaxDeficit"/>).</param>
    /// <param name="options">The limits: <see cref="CommandOptions.MaxDeficit"/>, the head's weight and agreement.</param>
    public CommandTranscriber(SpeechTranscriber transcriber, IReadOnlyList<string> phrases, IReadOnlyList<bool> escalates, CommandOptions options)
    {
        _transcriber = transcriber;
        HeadWeight = options.HeadWeight;
        HeadAgreement = options.HeadAgreement;
        AgreedExtraDeficit = options.AgreedExtraDeficit;
        MaxDeficit = options.MaxDeficit;
        EscalationMaxDeficit = options.EscalationMaxDeficit;
        _limit = [float.NaN, .. phrases.Select((_, k) => escalates[k] ? EscalationMaxDeficit : MaxDeficit)];
        for (var k = 0; k < phrases.Count; k++)
            foreach (var text in Writings(phrases[k]))
            {
                _candidates.Add(transcriber.Vocabulary.Encode(text));
                _classOf.Add(k + 1);
            }
        _scores = new float[_candidates.Count];
        _best = new float[phrases.Count + 1];
        _bestCandidate = new int[phrases.Count + 1];
        _average = new float[phrases.Count + 1];
        transcriber.WarmUpInBackground(_candidates);
    }

    /// <summary>The transcriber deciding over a head's labels with the gates of <paramref name="options"/>.</summary>
    public static CommandTranscriber For(SpeechTranscriber transcriber, CommandLabels labels, CommandOptions options) =>
        new(transcriber, PhrasesOf(labels), [.. labels.Labels.Skip(1).Select(l => l.Intent is { } i && labels.Grammar.Escalations.ContainsKey(i))], options);

    /// <summary>The transcriber deciding over every phrase of <paramref name="grammar"/> (classes as a head trained on it numbers them).</summary>
    public static CommandTranscriber For(SpeechTranscriber transcriber, CommandGrammar grammar, CommandOptions options) =>
        new(transcriber, [.. grammar.Phrases.Select(p => p.Text)], [.. grammar.Phrases.Select(p => grammar.Escalations.ContainsKey(p.Intent))], options);

    /// <summary>The speech transcriber behind the decisions (also verifying wake words).</summary>
    public SpeechTranscriber Transcriber => _transcriber;

    /// <summary>The phrases of a head's labels, class by class (class 0, none, has none).</summary>
    /// <exception cref="InvalidInputException">A command class without its phrase.</exception>
    public static IReadOnlyList<string> PhrasesOf(CommandLabels labels) =>
        [.. labels.Labels.Skip(1).Select((l, i) => l.Text ?? throw new InvalidInputException(labels.Path, $"label {i + 1} ({l.Intent}) has no text: the transcriber needs each class's phrase"))];

    /// <summary>How many nats per token the best phrase may fall short of the free transcript and still be the command.</summary>
    public float MaxDeficit { get; }

    /// <summary>The same for a phrase whose intent escalates (<c>assist.emergency</c>): a false one calls for help.</summary>
    public float EscalationMaxDeficit { get; }

    /// <summary>Weight of ln(head probability) added to a phrase's log-likelihood (<see cref="CommandOptions.HeadWeight"/>).</summary>
    public float HeadWeight { get; }

    /// <summary>Head probability for the best phrase that grows its deficit limit (<see cref="CommandOptions.HeadAgreement"/>).</summary>
    public float HeadAgreement { get; }

    /// <summary>Nats per token the limit grows by when the head agrees (<see cref="CommandOptions.AgreedExtraDeficit"/>).</summary>
    public float AgreedExtraDeficit { get; }

    /// <summary>The text the last decision heard unconstrained.</summary>
    public string LastTranscript { get; private set; } = "";

    /// <summary>The best phrase's shortfall against the free transcript in the last decision, nats per token (0: as likely).</summary>
    public float LastDeficit { get; private set; }

    /// <summary>The free transcript's log-likelihood per token in the last decision.</summary>
    public float LastHeardAverage { get; private set; }

    /// <summary>Tokens of the free transcript (with the end token) in the last decision.</summary>
    public int LastHeardTokens { get; private set; }

    /// <summary>Per class (0 unused), its best writing's log-likelihood per token in the last decision.</summary>
    public ReadOnlySpan<float> ClassAverages => _average;

    /// <summary>The best class of the last decision, before the deficit test.</summary>
    public int LastBest { get; private set; }

    /// <summary>Per class (0 unused), the best log-likelihood of its writings in the last decision.</summary>
    public ReadOnlySpan<float> ClassScores => _best;

    /// <summary>
    /// The command in an utterance's audio (16 kHz, [-1, 1]), 0 for none, by the transcriber alone;
    /// <paramref name="confidence"/> is the best phrase's share of the likelihood among all phrases.
    /// </summary>
    public int Decide(ReadOnlySpan<float> audio, out float confidence) => Decide(audio, [], out confidence);

    /// <summary>
    /// The same, with the command head's mean probabilities at the utterance's end (<paramref name="head"/>, per
    /// class, same classes; empty for none) weighing in: <see cref="HeadWeight"/> × ln p is added to each phrase's
    /// log-likelihood, and the deficit limit grows by <see cref="AgreedExtraDeficit"/> when the head gives the best
    /// phrase at least <see cref="HeadAgreement"/>.
    /// </summary>
    /// <param name="agreedExtra">What the limits grow by when the head agrees, instead of <see cref="AgreedExtraDeficit"/> (a check before the utterance's end).</param>
    public int Decide(ReadOnlySpan<float> audio, ReadOnlySpan<float> head, out float confidence, float? agreedExtra = null)
    {
        var heard = _transcriber.Recognize(audio, _candidates, _scores);
        LastTranscript = heard.Text;
        LastHeardAverage = heard.LogProb / heard.Tokens;
        LastHeardTokens = heard.Tokens;
        Array.Fill(_best, float.NegativeInfinity);
        for (var i = 0; i < _scores.Length; i++)
            if (_scores[i] > _best[_classOf[i]])
            {
                _best[_classOf[i]] = _scores[i];
                _bestCandidate[_classOf[i]] = i;
            }
        // Per token: a long transcript of talk is less sure of each token than a short command, and a phrase
        // forced onto talk it does not match pays on most of its tokens (and on ending where the talk goes on).
        for (var k = 1; k < _best.Length; k++) _average[k] = _best[k] / (_candidates[_bestCandidate[k]].Length + 1);
        return Choose(head, out confidence, agreedExtra);
    }

    /// <summary>
    /// The decision on the last <see cref="Decide(ReadOnlySpan{float}, ReadOnlySpan{float}, out float, float?)"/>'s scores with
    /// other head probabilities (empty: the transcriber alone), without running the transcriber again.
    /// </summary>
    public int Choose(ReadOnlySpan<float> head, out float confidence, float? agreedExtra = null)
    {
        var weight = head.IsEmpty ? 0 : HeadWeight;
        var best = 1;
        for (var k = 2; k < _best.Length; k++)
            if (Fused(k, head, weight) > Fused(best, head, weight)) best = k;
        var sum = 0.0;
        for (var k = 1; k < _best.Length; k++) sum += Math.Exp(Fused(k, head, weight) - Fused(best, head, weight));
        confidence = (float)(1 / sum);
        LastBest = best;
        LastDeficit = Math.Max(0, LastHeardAverage - _average[best]);
        var agreed = !head.IsEmpty && head[best] >= HeadAgreement;
        return LastDeficit <= _limit[best] + (agreed ? agreedExtra ?? AgreedExtraDeficit : 0) ? best : 0;
    }

    private float Fused(int k, ReadOnlySpan<float> head, float weight) =>
        weight == 0 ? _best[k] : _best[k] + (weight * MathF.Log(Math.Max(head[k], 1e-9f)));

    public void Dispose() => _transcriber.Dispose();

    /// <summary>How Moonshine would write a phrase: as a sentence, and with its numbers as digits.</summary>
    public static IEnumerable<string> Writings(string phrase)
    {
        var sentence = char.ToUpperInvariant(phrase[0]) + phrase[1..] + ".";
        yield return sentence;
        var digits = WithDigits(sentence);
        if (digits != sentence) yield return digits;
    }

    private static string WithDigits(string text)
    {
        var words = text.Split(' ');
        var output = new List<string>(words.Length);
        for (var i = 0; i < words.Length; i++)
        {
            var tens = Array.IndexOf(Tens, words[i]);
            var unit = Array.IndexOf(Numbers, words[i]);
            if (tens >= 2)
            {
                var next = i + 1 < words.Length ? Array.IndexOf(Numbers, words[i + 1]) : -1;
                var value = (tens * 10) + (next is >= 1 and <= 9 ? next : 0);
                if (next is >= 1 and <= 9) i++;
                output.Add(value.ToString(CultureInfo.InvariantCulture));
            }
            else if (unit >= 0)
            {
                output.Add(unit.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                output.Add(words[i]);
            }
        }
        return string.Join(' ', output);
    }
}
