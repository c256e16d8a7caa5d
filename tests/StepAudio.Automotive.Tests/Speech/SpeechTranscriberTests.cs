using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>One Moonshine session for the tests of a class (loading it takes a second).</summary>
public sealed class TranscriberFixture : IDisposable
{
    public TranscriberFixture()
    {
        Transcriber = new SpeechTranscriber(SpeechTranscriberPaths.From(TestModels.Store), new InferenceOptions());
        Commands = CommandTranscriber.For(Transcriber, CommandGrammar.Default, new CommandOptions());
    }

    public SpeechTranscriber Transcriber { get; }

    public CommandTranscriber Commands { get; }

    public void Dispose() => Commands.Dispose();
}

/// <summary>
/// Moonshine tiny (MIT, pinned from <c>@moonshine-ai/moonshine-js</c>) in ONNX Runtime, its vocabulary from
/// <c>llama-tokenizer-js</c>, and the grammar-constrained command decision, on held-out TTS voices (flite awb, rms).
/// </summary>
public class SpeechTranscriberTests(TranscriberFixture fixture) : IClassFixture<TranscriberFixture>
{
    private static float[] Utterance(string text, string voice, int seed) =>
        TestSpeech.WithNoise(TestSpeech.Concat(TestSpeech.Silence(0.15), TestSpeech.Flite(text, voice), TestSpeech.Silence(0.15)), 0.003, seed);

    [Fact]
    public void VocabularyEncodesSentencePieceAndDecodesBack()
    {
        var vocabulary = fixture.Transcriber.Vocabulary;
        // LLaMA's pieces: "▁Turn" "▁on" "▁the" "▁air" "▁condition" "ing" ".".
        Assert.Equal([9603, 373, 278, 4799, 4195, 292, 29889], vocabulary.Encode("Turn on the air conditioning."));
        foreach (var phrase in CommandGrammar.Default.Phrases)
            foreach (var writing in CommandTranscriber.Writings(phrase.Text))
                Assert.Equal(writing, vocabulary.Decode(vocabulary.Encode(writing)));
        Assert.Equal("Señor 22°", vocabulary.Decode(vocabulary.Encode("Señor 22°"))); // byte pieces for what has no piece
    }

    [Fact]
    public void WritingsAreSentencesWithNumbersInWordsAndDigits()
    {
        Assert.Equal(["Set the temperature to twenty two degrees.", "Set the temperature to 22 degrees."], CommandTranscriber.Writings("set the temperature to twenty two degrees"));
        Assert.Equal(["Set the temperature to sixteen degrees.", "Set the temperature to 16 degrees."], CommandTranscriber.Writings("set the temperature to sixteen degrees"));
        Assert.Equal(["I need help."], CommandTranscriber.Writings("i need help"));
    }

    /// <summary>
    /// The wake-word check: "hey jarvis" said by held-out voices passes, the starts of calm-talk sentences the wake
    /// head fired on in the HIL calm sets (README, Wake verification) do not.
    /// </summary>
    [Fact]
    public void TheWakeVerifierHearsTheKeywordAndNotTalkThatSetOffTheHead()
    {
        var verifier = new WakeVerifier();
        foreach (var (said, voice) in new[] { ("hey jarvis", "rms"), ("hey jarvis", "awb"), ("hey jarvis, open the", "awb") })
        {
            var score = verifier.Score(fixture.Transcriber, "hey_jarvis", Utterance(said, voice, 4));
            Assert.True(verifier.Accepts(score), $"{voice} '{said}': heard '{verifier.LastTranscript}', keyword {score:F2} nats/token");
        }
        foreach (var (said, voice) in new[] { ("please turn on the seat", "rms"), ("we'll wait a little bit", "awb"), ("i love this", "rms"), ("the kids were asleep before", "awb") })
        {
            var score = verifier.Score(fixture.Transcriber, "hey_jarvis", Utterance(said, voice, 5));
            Assert.False(verifier.Accepts(score), $"{voice} '{said}': heard '{verifier.LastTranscript}', keyword {score:F2} nats/token");
        }
    }

    [Fact]
    public void TranscribesAHeldOutVoice()
    {
        var text = fixture.Transcriber.Transcribe(Utterance("turn on the air conditioning", "rms", 1));
        Assert.Contains("air conditioning", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NamesHeldOutCommandsAndTurnsAwayTalk()
    {
        var grammar = CommandGrammar.Default;
        int Class(string phrase) => grammar.Phrases.Select((p, i) => (p, i)).Single(x => x.p.Text == phrase).i + 1;
        var commands = new[]
        {
            ("make it warmer", "rms"), ("turn the volume up", "rms"), ("find the nearest restaurant", "rms"),
            ("find the nearest gas station", "awb"), ("turn off the air conditioning", "rms"), ("set the temperature to twenty seven degrees", "awb"),
        };
        foreach (var (phrase, voice) in commands)
        {
            var decided = fixture.Commands.Decide(Utterance(phrase, voice, 2), out var confidence);
            Assert.True(decided == Class(phrase), $"{voice} '{phrase}': heard '{fixture.Commands.LastTranscript}', decided {(decided == 0 ? "none" : grammar.Phrases[decided - 1].Text)} ({fixture.Commands.LastDeficit:F2} nats/token short)");
            Assert.InRange(confidence, 0.5f, 1f);
        }
        foreach (var (talk, voice) in new[] { ("we need to buy milk and bread on the way back", "rms"), ("i read an interesting article about electric cars", "awb"), ("how was your day at work today", "rms"), ("this road is much quieter than the highway", "awb") })
        {
            Assert.True(fixture.Commands.Decide(Utterance(talk, voice, 3), out _) == 0, $"'{talk}' heard as '{fixture.Commands.LastTranscript}' became {grammar.Phrases[fixture.Commands.LastBest - 1].Text} ({fixture.Commands.LastDeficit:F2})");
            Assert.True(fixture.Commands.LastDeficit > CommandOptions.DefaultMaxDeficit);
        }
    }

    [Fact]
    public void TheHeadWeighsInByItsLogProbabilityAndItsAgreementGrowsTheLimitNoFurther()
    {
        var grammar = CommandGrammar.Default;
        int Class(string phrase) => grammar.Phrases.Select((p, i) => (p, i)).Single(x => x.p.Text == phrase).i + 1;
        var commands = fixture.Commands;
        var classes = grammar.Phrases.Count + 1;
        float[] Head(int k, float p)
        {
            var probabilities = Enumerable.Repeat((1 - p) / (classes - 1), classes).ToArray();
            probabilities[k] = p;
            return probabilities;
        }

        // "turn on the seat heating" against "turn off the seat heating": one word apart. The head weighs in
        // by ln p: a mild head for the other phrase (ln 0.8 − ln 0.004 ≈ 5.3 nats) does not overturn the
        // transcriber's margin here, a near-certain one (≈ 20 nats) does.
        var on = Class("turn on the seat heating");
        var off = Class("turn off the seat heating");
        Assert.Equal(on, commands.Decide(Utterance("turn on the seat heating", "rms", 6), out _));
        var margin = commands.ClassScores[on] - commands.ClassScores[off];
        Assert.InRange(margin, 5.5f, 19f);
        Assert.Equal(on, commands.Choose(Head(off, 0.8f), out _));
        Assert.Equal(off, commands.Choose(Head(off, 1 - 1e-7f), out _));
        Assert.Equal(on, commands.Choose(Head(on, 0.8f), out _));

        // Talk far from every phrase stays none even when the head is sure of the nearest one: agreement
        // grows the limit by AgreedExtraDeficit, no more.
        Assert.Equal(0, commands.Decide(Utterance("we need to buy milk and bread on the way back", "rms", 3), out _));
        Assert.True(commands.LastDeficit > CommandOptions.DefaultMaxDeficit + CommandOptions.DefaultAgreedExtraDeficit, $"{commands.LastDeficit:F2}");
        Assert.Equal(0, commands.Choose(Head(commands.LastBest, 0.99f), out _));
    }

    [Fact]
    public void AZoneWindowDecidesAtTheUtterancesEndAndTellsTalkApart()
    {
        var head = CommandHead.Resolve(new CommandOptions(), TestModels.Store) with { Transcriber = fixture.Commands };
        using var zone = new ZoneSpeech("driver", SpeechModelPaths.From(TestModels.Store), [], new InferenceOptions(), command: head);
        var decisions = new List<CommandDecision>();
        var talk = 0;
        zone.CommandDecided += decisions.Add;
        zone.TalkHeard += () => talk++;

        var speech = TestSpeech.Flite("open the window", "rms");
        var lead = TestSpeech.Silence(0.4).Length;
        zone.OpenCommandWindow();
        zone.Process(TestSpeech.WithNoise(TestSpeech.Concat(TestSpeech.Silence(0.4), speech, TestSpeech.Silence(1.0)), 0.003, 4));
        var d = Assert.Single(decisions);
        Assert.Equal("open the window", head.Labels.Labels[d.Class].Text);
        Assert.Equal(0, talk);
        // Decided at the end of the utterance (the voice detector's, within the clip's speech and its trailing
        // silence) plus one quiet 80 ms step.
        Assert.InRange(d.SpeechEndSample, lead + (speech.Length / 2), lead + speech.Length + (0.2 * SpeechSteps.SampleRate));
        Assert.InRange(d.DecidedSample - d.SpeechEndSample, 0, (int)(0.3 * SpeechSteps.SampleRate));

        // Talk in the next window is no command: the zone says so and keeps listening.
        zone.OpenCommandWindow();
        zone.Process(TestSpeech.WithNoise(TestSpeech.Concat(TestSpeech.Silence(0.4), TestSpeech.Flite("how was your day at work today", "rms"), TestSpeech.Silence(1.0)), 0.003, 5));
        Assert.Single(decisions);
        Assert.Equal(1, talk);
        Assert.True(zone.Command!.IsOpen);
    }

    [Fact]
    public void TalkRunningOnPastACommandDoesNotDelayItWhenTheHeadIsSureAndTheTranscriberAgrees()
    {
        var head = CommandHead.Resolve(new CommandOptions(), TestModels.Store) with { Transcriber = fixture.Commands };
        using var zone = new ZoneSpeech("driver", SpeechModelPaths.From(TestModels.Store), [], new InferenceOptions(), command: head);
        var decisions = new List<CommandDecision>();
        zone.CommandDecided += decisions.Add;

        // The command, and someone else's talk (at half its level) starting under its last word and going on:
        // the voice detector hears no end for 2 s more.
        var command = TestSpeech.Flite("turn off the air conditioning", "rms");
        var talk = TestSpeech.Flite("and the weather looks great for the whole weekend", "awb");
        var lead = TestSpeech.Silence(0.4).Length;
        var audio = TestSpeech.Concat(TestSpeech.Silence(0.4), command, TestSpeech.Silence(((double)talk.Length / SpeechSteps.SampleRate) + 1.0));
        var spoken = Array.FindLastIndex(command, x => Math.Abs(x) > 0.02f); // flite pads its clips with silence
        var talkStart = lead + spoken - (int)(0.2 * SpeechSteps.SampleRate);
        for (var i = 0; i < talk.Length; i++) audio[talkStart + i] += 0.5f * talk[i];
        zone.OpenCommandWindow();
        zone.Process(TestSpeech.WithNoise(audio, 0.003, 7));
        var d = Assert.Single(decisions);
        Assert.Equal("turn off the air conditioning", head.Labels.Labels[d.Class].Text);
        Assert.InRange(d.DecidedSample, lead + (spoken / 2), lead + spoken + (int)(0.3 * SpeechSteps.SampleRate));
    }

    [Fact]
    public void ANeighbourTalkingOnPastACommandDoesNotHoldItsEndOnceTheLocalizerHearsItIsAnotherVoice()
    {
        // A command, and a neighbour's talk starting under its last word and going on for 2.4 s more, leaking into
        // the zone's beam at half its level; the end alone decides (the early rule is off).
        var command = TestSpeech.Flite("next song", "rms");
        var talk = TestSpeech.Flite("the weather looks great for the whole weekend", "awb");
        var lead = TestSpeech.Silence(0.4).Length;
        var audio = TestSpeech.Concat(TestSpeech.Silence(0.4), command, TestSpeech.Silence(((double)talk.Length / SpeechSteps.SampleRate) + 1.0));
        var spokenEnd = lead + Array.FindLastIndex(command, x => Math.Abs(x) > 0.02f);
        var talkStart = spokenEnd - (int)(0.2 * SpeechSteps.SampleRate);
        var talkEnd = talkStart + Array.FindLastIndex(talk, x => Math.Abs(x) > 0.02f);
        for (var i = 0; i < talk.Length; i++) audio[talkStart + i] += 0.5f * talk[i];
        audio = TestSpeech.WithNoise(audio, 0.003, 8);
        var head = CommandHead.Resolve(new CommandOptions { Patience = 0 }, TestModels.Store) with { Transcriber = fixture.Commands };

        // Fed hop by hop as the speech stage does, with (or without) the zone map's verdict: this seat's own
        // sound up to the command's end, then the neighbour's alone.
        List<CommandDecision> Decisions(bool localized)
        {
            using var zone = new ZoneSpeech("rear-right", SpeechModelPaths.From(TestModels.Store), [], new InferenceOptions(), command: head);
            var decisions = new List<CommandDecision>();
            zone.CommandDecided += decisions.Add;
            zone.OpenCommandWindow();
            const int hop = 160;
            for (var i = 0; i + hop <= audio.Length; i += hop)
            {
                var voice = !localized || i >= talkEnd ? HopVoice.Unknown : i < spokenEnd ? HopVoice.Own : HopVoice.Other;
                zone.Process(audio.AsSpan(i, hop), voice);
            }
            return decisions;
        }

        var d = Assert.Single(Decisions(localized: true));
        Assert.Equal("next song", head.Labels.Labels[d.Class].Text);
        Assert.InRange(d.DecidedSample, spokenEnd, spokenEnd + (int)(0.3 * SpeechSteps.SampleRate));
        // The utterance it reports ends with the command too, not with the neighbour's talk still on the voice detector.
        Assert.InRange(d.SpeechEndSample, spokenEnd - (int)(0.1 * SpeechSteps.SampleRate), spokenEnd + (int)(0.1 * SpeechSteps.SampleRate));
        // The voice detector alone hears the neighbour as the command going on: the utterance ends with their talk,
        // which the transcriber no longer takes for a command.
        Assert.DoesNotContain(Decisions(localized: false), x => x.Class > 0 && x.DecidedSample < talkEnd);
    }

    [Fact]
    public void AVocabularyFileThatIsNotTheTokenizerIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-a-tokenizer-{Environment.ProcessId}.js");
        File.WriteAllText(path, "export default {};");
        try
        {
            var e = Assert.Throws<InvalidInputException>(() => TokenVocabulary.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("llama_vocab_base64", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
