using StepAudio.Automotive.Speech;
using StepAudio.Automotive.Tools.Hil;
using StepAudio.Automotive.Tools.Training;

namespace StepAudio.Automotive.Tests.Training;

/// <summary>The wake head's training clips: the extra conversations and interfered positives (plans only, nothing rendered).</summary>
public class WakeWordCorpusTests
{
    private static readonly CommandGrammar Grammar = CommandGrammar.Load(Path.Combine(TestPaths.RepoRoot, "models", "grammar", "incar-en.yaml"));

    [Fact]
    public void ExtraClipsComeAfterTheBaseSetWhichStaysTheSame()
    {
        var plain = WakeWordCorpus.Training(Grammar, 20, 30, seed: 1);
        var more = WakeWordCorpus.Training(Grammar, 20, 30, seed: 1, hardNegatives: 40, interferedPositives: 10);
        Assert.Equal(100, more.Count);
        // Cached features are keyed by the clip: the first 50 must not move when the extras grow.
        Assert.Equal(plain.Select(p => p.Spec.Key), more.Take(50).Select(p => p.Spec.Key));

        var conversations = more.Skip(50).Take(40).ToList();
        Assert.All(conversations, p => Assert.Equal(0, p.Label));
        Assert.All(conversations, p => Assert.InRange(p.Spec.Texts.Count, 2, 3));
        string[] sentences = [.. NegativeSpeech.Chatter, .. NegativeSpeech.Conversation];
        Assert.All(conversations.SelectMany(p => p.Spec.Texts), t => Assert.Contains(t, sentences));

        var interfered = more.Skip(90).ToList();
        Assert.All(interfered, p => Assert.Equal(1, p.Label));
        Assert.All(interfered, p => Assert.Equal([Grammar.Wake], p.Spec.Texts));
        Assert.All(interfered, p => Assert.InRange(p.Spec.Interference!.RelativeDb, -15, -3));
        Assert.All(more.Skip(50), p => Assert.DoesNotContain(p.Spec.Voice, ScenarioGenerator.AcceptanceVoices));
    }

    [Fact]
    public void TheConversationsAreNotTheHilRigsSentences()
    {
        // The calm suite speaks EmotionScenarioGenerator.Sentences and the CI suite ScenarioGenerator.Chatter: training on them would tune to the test.
        Assert.Empty(NegativeSpeech.Conversation.Intersect(EmotionScenarioGenerator.Sentences));
        Assert.Empty(NegativeSpeech.Conversation.Intersect(ScenarioGenerator.Chatter));
        Assert.Equal(NegativeSpeech.Conversation.Length, NegativeSpeech.Conversation.Distinct().Count());
    }
}
