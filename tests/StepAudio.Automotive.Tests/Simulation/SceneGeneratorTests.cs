using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tests.Simulation;

public class SceneGeneratorTests
{
    private readonly TextToSpeech _tts = new();

    [Fact]
    public void TargetsFollowEachOtherAndEachIsOverlappedByRadio()
    {
        var cabin = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var scene = new SceneGenerator(_tts).Generate(cabin, new SceneRecipe(Utterances: 3, SnrDb: 5, Interference: Interference.Radio), seed: 11);
        Assert.Equal(6, scene.Events.Count);
        Assert.Equal(5, scene.Noise!.SnrDb);
        var render = new CabinSimulator(_tts).Render(scene);
        var targets = render.Utterances.Where(u => u.Kind == SceneSourceKind.Talker).ToList();
        var radio = render.Utterances.Where(u => u.Kind == SceneSourceKind.Loudspeaker).ToList();
        Assert.Equal(3, targets.Count);
        Assert.Equal(3, radio.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(radio[i].StartSeconds < targets[i].EndSeconds && radio[i].EndSeconds > targets[i].StartSeconds, "radio overlaps its target");
            if (i > 0) Assert.True(targets[i].StartSeconds > Math.Max(targets[i - 1].EndSeconds, radio[i - 1].EndSeconds), "targets do not overlap each other");
            Assert.True(targets[i].Position.DistanceTo(cabin.Zones[cabin.ZoneIndex(targets[i].Source)].Position) <= 0.05 * Math.Sqrt(3) + 1e-9);
        }
        Assert.True(render.Utterances[^1].EndSeconds <= scene.DurationSeconds);
    }

    [Fact]
    public void IsReproducibleAndASecondTalkerSitsElsewhere()
    {
        var cabin = CabinProfileReader.Load(TestPaths.LinearCabin);
        var recipe = new SceneRecipe(Utterances: 4, Interference: Interference.SecondTalker);
        var a = new SceneGenerator(_tts).Generate(cabin, recipe, seed: 3);
        var b = new SceneGenerator(_tts).Generate(cabin, recipe, seed: 3);
        Assert.Equal(a.Events.Select(e => (e.Source, e.StartSeconds, e.Text, e.Voice)), b.Events.Select(e => (e.Source, e.StartSeconds, e.Text, e.Voice)));
        for (var i = 0; i < a.Events.Count; i += 2) Assert.NotEqual(a.Events[i].Source, a.Events[i + 1].Source);
        Assert.All(a.Events, e => Assert.Equal(SceneSourceKind.Talker, e.Kind));
    }
}
