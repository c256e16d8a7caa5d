using System.Text.Json;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Simulation;

public class SimulateCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string WriteScene(string dir, string events, string extra = "")
    {
        var path = Path.Combine(dir, "scene.json");
        var cabin = TestPaths.ConsoleCabin.Replace("\\", "/", StringComparison.Ordinal);
        File.WriteAllText(path, $$"""{ "cabin": "{{cabin}}", "duration": 3, "seed": 2, {{extra}} "events": [ {{events}} ] }""");
        return path;
    }

    [Fact]
    public async Task WritesAFourChannelWavAndItsTruthIdenticallyTwice()
    {
        var dir = TestPaths.NewTempDir();
        var scene = WriteScene(dir, """
            { "zone": "driver", "start": 0.3, "text": "hey jarvis", "voice": "espeak-ng:en-us" },
            { "loudspeaker": "rear-left-door", "start": 1.5, "text": "weather", "voice": "flite:slt", "gain": -6 }
            """, """ "noise": { "snr": 10, "sources": 8 }, """);
        var wav = Path.Combine(dir, "out.wav");
        var (code, stdout, stderr) = await Run("simulate", "--scene", scene, "--out", wav);
        Assert.True(code == 0, stderr);
        Assert.Contains("4 channels", stdout, StringComparison.Ordinal);

        using (var source = WavFileSource.Open(wav))
        {
            Assert.Equal((4, 16000, 48000L, PcmSampleFormat.S16), (source.Channels, source.SampleRate, source.TotalFrames, source.Format));
        }
        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out.truth.json")));
        var u = truth.RootElement.GetProperty("utterances");
        Assert.Equal(2, u.GetArrayLength());
        Assert.Equal("driver", u[0].GetProperty("zone").GetString());
        Assert.Equal(0.3, u[0].GetProperty("start").GetDouble());
        Assert.InRange(u[0].GetProperty("end").GetDouble(), 0.8, 1.8);
        Assert.Equal("hey jarvis", u[0].GetProperty("text").GetString());
        Assert.Equal("rear-left-door", u[1].GetProperty("loudspeaker").GetString());
        Assert.Equal("loudspeaker", u[1].GetProperty("kind").GetString());
        Assert.Equal(10, truth.RootElement.GetProperty("noise").GetProperty("snr").GetDouble());

        var again = Path.Combine(dir, "again.wav");
        var truth2 = Path.Combine(dir, "t2.json");
        Assert.Equal(0, (await Run("simulate", "--scene", scene, "--out", again, "--truth", truth2)).Code);
        Assert.Equal(File.ReadAllBytes(wav), File.ReadAllBytes(again));
        Assert.True(File.Exists(truth2));
    }

    [Fact]
    public async Task PlaysARecordingAtAnotherRateInsteadOfTts()
    {
        var dir = TestPaths.NewTempDir();
        // One second of a 440 Hz tone at 44.1 kHz, stereo: the first channel is used, resampled to 16 kHz.
        var tone = new float[44100 * 2];
        for (var i = 0; i < 44100; i++) tone[2 * i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 44100));
        WavWriter.Write(Path.Combine(dir, "tone.wav"), tone, 2, 44100);
        var scene = WriteScene(dir, """{ "zone": "front-passenger", "start": 0.5, "audio": "tone.wav" }""");
        var (code, _, stderr) = await Run("simulate", "--scene", scene, "--out", Path.Combine(dir, "o.wav"));
        Assert.True(code == 0, stderr);
        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "o.truth.json")));
        var u = truth.RootElement.GetProperty("utterances")[0];
        Assert.Equal("tone.wav", u.GetProperty("audio").GetString());
        Assert.Equal(JsonValueKind.Null, u.GetProperty("text").ValueKind);
        Assert.Equal(1.5, u.GetProperty("end").GetDouble(), 2);
    }

    [Fact]
    public async Task ABadSceneIsExitCode2NamingFileAndField()
    {
        var dir = TestPaths.NewTempDir();
        var scene = WriteScene(dir, """{ "zone": "trunk", "start": 0.3, "text": "hey jarvis" }""");
        var wav = Path.Combine(dir, "out.wav");
        var (code, _, stderr) = await Run("simulate", "--scene", scene, "--out", wav);
        Assert.Equal(2, code);
        Assert.Contains(scene, stderr, StringComparison.Ordinal);
        Assert.Contains("events[0].zone", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(wav));

        var missing = await Run("simulate", "--scene", Path.Combine(dir, "none.json"), "--out", wav);
        Assert.Equal(2, missing.Code);
        Assert.Contains("not found", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownVoiceIsExitCode2NamingTheEvent()
    {
        var dir = TestPaths.NewTempDir();
        var scene = WriteScene(dir, """{ "zone": "driver", "start": 0.3, "text": "hey jarvis", "voice": "flite:nobody" }""");
        var (code, _, stderr) = await Run("simulate", "--scene", scene, "--out", Path.Combine(dir, "o.wav"));
        Assert.Equal(2, code);
        Assert.Contains("events[0].voice", stderr, StringComparison.Ordinal);
        Assert.Contains("nobody", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedDemoRecordingMatchesItsScene()
    {
        var demo = Path.Combine(TestPaths.RepoRoot, "deploy", "demo");
        using (var wav = WavFileSource.Open(Path.Combine(demo, "demo.wav")))
        {
            Assert.Equal((4, 16000, PcmSampleFormat.S16), (wav.Channels, wav.SampleRate, wav.Format));
            Assert.InRange(wav.DurationSeconds, 15, 30);
        }
        Assert.True(new FileInfo(Path.Combine(demo, "demo.wav")).Length < 3_000_000);
        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(demo, "demo.truth.json")));
        var scene = Tools.Simulation.CabinSceneReader.Load(Path.Combine(demo, "demo.scene.json"));
        var u = truth.RootElement.GetProperty("utterances");
        Assert.Equal(scene.Events.Count, u.GetArrayLength());
        for (var i = 0; i < scene.Events.Count; i++)
        {
            Assert.Equal(scene.Events[i].Text, u[i].GetProperty("text").GetString());
            Assert.Equal(scene.Events[i].StartSeconds, u[i].GetProperty("start").GetDouble(), 3);
        }
    }
}
