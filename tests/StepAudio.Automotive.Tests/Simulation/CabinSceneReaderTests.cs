using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tests.Simulation;

public class CabinSceneReaderTests
{
    private static readonly string s_cabins = Path.Combine(TestPaths.RepoRoot, "deploy", "cabins");

    private static CabinScene Parse(string json) => CabinSceneReader.Parse(json, "s.json", s_cabins);

    [Fact]
    public void DemoSceneLoads()
    {
        var scene = CabinSceneReader.Load(Path.Combine(TestPaths.RepoRoot, "deploy", "demo", "demo.scene.json"));
        Assert.Equal("sedan-console-circular", scene.Cabin.Name);
        Assert.Equal(20, scene.DurationSeconds);
        Assert.Equal(15, scene.Noise!.SnrDb);
        Assert.Contains(scene.Events, e => e.Kind == SceneSourceKind.Loudspeaker);
        Assert.Contains(scene.Events, e => e.Source == "driver" && e.Text == "hey jarvis");
    }

    [Fact]
    public void ReadsEveryField()
    {
        var scene = Parse("""
            { "cabin": "sedan-headliner-linear.json", "duration": 3, "rt60": 0.15, "seed": 4, "speechLevel": -30, "sensorNoise": null,
              "noise": { "snr": 5, "sources": 8 },
              "events": [ { "zone": "rear-left", "start": 0.5, "text": "hi", "voice": "flite:slt", "rate": 1.2, "pitch": 0.9, "gain": -3, "offset": [0.05, 0, 0.1] },
                          { "loudspeaker": "rear-right-door", "start": 1, "text": "news" } ] }
            """);
        Assert.Equal(0.15, scene.Rt60Seconds);
        Assert.Equal(4, scene.Seed);
        Assert.Equal(-30, scene.SpeechLevelDbfs);
        Assert.Null(scene.SensorNoiseDbfs);
        Assert.Equal(new SceneNoise(5, 8), scene.Noise);
        var e = scene.Events[0];
        Assert.Equal((SceneSourceKind.Talker, "rear-left", 0.5, "hi", "flite:slt", 1.2, 0.9, -3.0), (e.Kind, e.Source, e.StartSeconds, e.Text, e.Voice, e.Rate, e.Pitch, e.GainDb));
        Assert.Equal(0.1, e.Offset.Z);
        Assert.Equal(TextToSpeech.DefaultVoice, scene.Events[1].Voice);
        Assert.Equal(SceneSourceKind.Loudspeaker, scene.Events[1].Kind);
    }

    [Theory]
    [InlineData("""{ "duration": 3 }""", "cabin:")]
    [InlineData("""{ "cabin": "nope.json", "duration": 3 }""", "cabin: cabin profile")]
    [InlineData("""{ "cabin": "sedan-console-circular.json" }""", "duration:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": -1 }""", "duration:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "snr": 10 }""", "snr: unknown field")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "noise": { "snr": "loud" } }""", "noise.snr: expected a number")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "noise": { "snr": 10, "sources": 0 } }""", "noise.sources:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "rt60": 0 }""", "rt60:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "sensorNoise": 0 }""", "sensorNoise:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "boot", "start": 1, "text": "x" } ] }""", "events[0].zone: 'boot' is not a zone")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "loudspeaker": "dash", "start": 1, "text": "x" } ] }""", "events[0].loudspeaker: 'dash'")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "start": 1, "text": "x" } ] }""", "events[0]: give exactly one")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 5, "text": "x" } ] }""", "events[0].start:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1 } ] }""", "events[0].text:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1, "text": "x", "voice": "kal" } ] }""", "events[0].voice:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1, "text": "x", "rate": 9 } ] }""", "events[0].rate:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1, "text": "x", "offset": [0, 0, 2] } ] }""", "events[0].offset:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "loudspeaker": "front-left-door", "start": 1, "text": "x", "offset": [0, 0, 0] } ] }""", "events[0].offset: only a talker")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1, "text": "x", "speed": 2 } ] }""", "events[0].speed: unknown field")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1, "text": "x", "audio": "a.wav" } ] }""", "events[0]: give \"text\"")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, "events": [ { "zone": "driver", "start": 1, "audio": "missing.wav" } ] }""", "events[0].audio:")]
    [InlineData("""{ "cabin": "sedan-console-circular.json", "duration": 3, """, "not valid JSON")]
    public void BadScenesNameTheField(string json, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => Parse(json));
        Assert.Equal("s.json", e.Source);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACabinWithoutAnInteriorCannotBeSimulated()
    {
        var dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "c.json"), """{ "name": "x", "sampleRate": 16000, "mics": [[0.45,0.05,1.15],[0.45,-0.05,1.15]], "zones": { "driver": [0.2, 0.37, 0.78] } }""");
        var e = Assert.Throws<InvalidInputException>(() => CabinSceneReader.Parse("""{ "cabin": "c.json", "duration": 2 }""", "s.json", dir));
        Assert.Contains("interior", e.Message, StringComparison.Ordinal);
    }
}
