using System.Text;
using Microsoft.Extensions.Configuration;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Service.Cli;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Tests.Emotion;

public class EmotionConfigurationTests
{
    [Fact]
    public void EmotionAndEscalationSectionsBindAndConfiguredListsReplaceTheDefaults()
    {
        var json = """
            { "StepAudio": {
                "Emotion": { "Enabled": false, "Prosody": { "WindowSeconds": 2.5 } },
                "Escalation": { "SustainSeconds": 3, "DriverOnly": true, "DistressKeywords": ["mayday", "help"] } } }
            """;
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection(StepAudioOptions.Section);
        var options = new StepAudioOptions();
        config.Bind(options);
        // The binder alone adds to the default list …
        Assert.Contains("call the police", options.Escalation.DistressKeywords);
        StepAudioOptions.ReplaceDefaultLists(options, config);
        // … so configured lists replace it; lists not configured keep their defaults.
        Assert.Equal(["mayday", "help"], options.Escalation.DistressKeywords);
        Assert.Equal(["assist.emergency"], options.Escalation.EmergencyIntents);
        Assert.False(options.Emotion.Enabled);
        Assert.Equal(2.5, options.Emotion.Prosody.WindowSeconds);
        Assert.Equal(3, options.Escalation.SustainSeconds);
        Assert.True(options.Escalation.DriverOnly);
    }

    [Fact]
    public async Task BadEmotionOrEscalationSettingsStopTheServiceNamingThem()
    {
        var (code, err) = await ServiceStart.WithSettings("""
            "Emotion": { "Prosody": { "WindowSeconds": 30 } },
              "Escalation": { "AgitationEnter": 0.3, "AgitationExit": 0.5 }
            """);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("StepAudio:Emotion:Prosody: WindowSeconds 30 must be in [1, 10]", err, StringComparison.Ordinal);
        Assert.Contains("StepAudio:Escalation: AgitationExit 0.5 must be in [0, AgitationEnter)", err, StringComparison.Ordinal);
    }
}
