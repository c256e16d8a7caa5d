using System.Text.Json;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Speech;

/// <summary>StepAudio:Commands in `stepaudio run` and --command-head in `replay`: bad settings and models stop at start with exit code 2.</summary>
public class CommandConfigurationTests
{
    /// <summary><c>stepaudio run</c> with the pretrained wake head and these command settings; events in <paramref name="dir"/>.</summary>
    private static Task<(int Code, string Stderr)> RunWith(string dir, string commands) =>
        ServiceStart.WithSettings($$"""
            "WakeHeads": [ { "Model": "hey_jarvis_v0.1" } ], "Commands": {{commands}}
            """, dir);

    [Fact]
    public async Task BadCommandSettingsAreNamed()
    {
        var (code, err) = await RunWith(TestPaths.NewTempDir(), """{ "Threshold": 1.5, "Patience": -1, "WindowSeconds": 0.01, "Floor": 0, "EndSteps": 0, "SpeechProbability": 1, "MinCommandSeconds": -1, "OtherVoiceSteps": -1 }""");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio: StepAudio:Commands:Threshold: 1.5 must be in (0, 1]", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:Patience: -1 must be 0 (no early intent) or more", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:WindowSeconds: 0.01 must be between 0.08 and 30", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:Floor: 0 must be in (0, 1]", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:EndSteps: 0 must be between 1 and 10", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:SpeechProbability: 1 must be in (0, 1)", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:MinCommandSeconds: -1 must be between 0 (off) and 3", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:OtherVoiceSteps: -1 must be between 0 (off) and 10", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadTranscriberSettingsAreNamed()
    {
        var (code, err) = await RunWith(TestPaths.NewTempDir(), """{ "Recognizer": "whisper", "MaxDeficit": 2, "EscalationMaxDeficit": 3, "TalkDeficit": 1, "HeadWeight": -1, "HeadAgreement": 0, "AgreedExtraDeficit": 11, "EarlyAgreedExtraDeficit": -1 }""");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio: StepAudio:Commands:Recognizer: 'whisper' must be head or transcriber", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:EscalationMaxDeficit: 3 must be in (0, MaxDeficit (2)]", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:TalkDeficit: 1 must be in [MaxDeficit (2), 20]", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:HeadWeight: -1 must be between 0 (transcriber alone) and 10", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:HeadAgreement: 0 must be in (0, 1]", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:AgreedExtraDeficit: 11 must be between 0 and 10", err, StringComparison.Ordinal);
        Assert.Contains("stepaudio: StepAudio:Commands:EarlyAgreedExtraDeficit: -1 must be in [0, AgreedExtraDeficit (11)]", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEscalationFloorBelowTheFloorIsNamed()
    {
        var (code, err) = await RunWith(TestPaths.NewTempDir(), """{ "Floor": 0.5, "EscalationFloor": 0.4 }""");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stepaudio: StepAudio:Commands:EscalationFloor: 0.4 must be in [Floor (0.5), 1]", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingOrMismatchedCommandHeadStopsTheServiceAtStart()
    {
        var dir = TestPaths.NewTempDir();
        var (code, err) = await RunWith(dir, """{ "Model": "/nonexistent/commands.onnx" }""");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("stepaudio: /nonexistent/commands.onnx: command head not found", err, StringComparison.Ordinal);

        // Labels naming an intent the grammar does not have: the message names the labels file.
        var head = TestCommandHeads.Echo(dir: dir);
        TestCommandHeads.WriteLabels(head, 16, [new { intent = (string?)null }, new { intent = "trunk.open" }, new { intent = "media.play" }, new { intent = "media.pause" }]);
        (code, err) = await ServiceStart.Cli("replay", "--cabin", TestPaths.ConsoleCabin, "--audio", ServiceStart.SilentRecording(dir), "--wake-head", "hey_jarvis_v0.1", "--command-head", head, "--events", Path.Combine(dir, "e.jsonl"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith($"stepaudio: {dir}/echo_head.labels.json: labels[1]: intent 'trunk.open' is not in the grammar", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServiceRunsTheConfiguredHeadAndReportsItInStatus()
    {
        var dir = TestPaths.NewTempDir();
        var head = TestCommandHeads.Echo(dir: dir);
        var (code, err) = await RunWith(dir, $$"""{ "Model": "{{head}}", "Patience": 3 }""");
        Assert.True(code == 0, err);
        var last = JsonDocument.Parse(File.ReadAllLines(Path.Combine(dir, "events.jsonl"))[^1]).RootElement;
        Assert.Equal(0, last.GetProperty("commands").GetProperty("windows").GetInt32());
        Assert.Contains(last.GetProperty("models").EnumerateArray(), m => m.GetProperty("file").GetString() == "echo_head.onnx");

        // Switched off: no command head, no counters.
        (code, err) = await RunWith(dir, """{ "Enabled": false }""");
        Assert.True(code == 0, err);
        last = JsonDocument.Parse(File.ReadAllLines(Path.Combine(dir, "events.jsonl"))[^1]).RootElement;
        Assert.Equal(JsonValueKind.Null, last.GetProperty("commands").ValueKind);
    }
}
