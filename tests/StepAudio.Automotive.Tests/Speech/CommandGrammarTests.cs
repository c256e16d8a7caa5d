using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tests.Speech;

public class CommandGrammarTests
{
    [Fact]
    public void TheDefaultGrammarExpandsEveryExpressionAndSlotValue()
    {
        var g = CommandGrammar.Default;
        Assert.Equal("hey jarvis", g.Wake);
        Assert.Equal(27, g.Intents.Count);
        // 13 temperatures + 4 categories + 3 contacts + 33 fixed expressions
        Assert.Equal(13 + 4 + 3 + 33, g.Phrases.Count);
        var set22 = Assert.Single(g.Phrases, p => p.Text == "set the temperature to twenty two degrees");
        Assert.Equal("climate.temperature.set", set22.Intent);
        Assert.Equal("22", set22.Slots["celsius"]);
        Assert.Equal("roadside_assistance", Assert.Single(g.Phrases, p => p.Text == "call roadside assistance").Slots["contact"]);
        Assert.Equal(new GrammarEscalation("distress", "high"), g.Escalations["assist.emergency"]);
        Assert.Equal(CommandGrammar.Load(Path.Combine(TestPaths.RepoRoot, "models", "grammar", "incar-en.yaml")).Phrases, g.Phrases, new PhraseComparer());
    }

    [Theory]
    [InlineData("intents:\n  window.open: [\"open the {door}\"]\n", "intents.window.open: \"open the {door}\" uses unknown slot {door}")]
    [InlineData("intents:\n  window.open: [\"open the window\"]\n  window.close: [\"open the window\"]\n", "intents.window.close: \"open the window\" is also an expression of window.open")]
    [InlineData("intents:\n  Window: [\"open\"]\n", "intents.Window: an intent id is dotted lower-case words (e.g. window.open)")]
    [InlineData("intents:\n  window.open: []\n", "intents.window.open: expected a list of expressions")]
    [InlineData("intents: [oops\n", "line ")]
    public void BadGrammarsNameTheFileAndThePlace(string body, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => CommandGrammar.Parse("language: en\nwake: hey jarvis\n" + body, "g.yaml"));
        Assert.StartsWith("g.yaml: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private sealed class PhraseComparer : IEqualityComparer<CommandPhrase>
    {
        public bool Equals(CommandPhrase? x, CommandPhrase? y) =>
            x!.Intent == y!.Intent && x.Text == y.Text && x.Slots.OrderBy(k => k.Key).SequenceEqual(y.Slots.OrderBy(k => k.Key));

        public int GetHashCode(CommandPhrase obj) => obj.Text.GetHashCode(StringComparison.Ordinal);
    }
}
