using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tests.Simulation;

public class TextToSpeechTests
{
    private const int Fs = 16000;
    private readonly TextToSpeech _tts = new(Path.Combine(TestPaths.NewTempDir(), "tts"));

    [Fact]
    public void AMissingProgramSaysWhichPackageToInstall()
    {
        var e = Assert.Throws<ToolNotInstalledException>(() => TextToSpeech.Run("stepaudio-no-such-tts", [], null, "test"));
        Assert.Contains("install the Debian package 'stepaudio-no-such-tts'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("espeak-ng:en-us")]
    [InlineData("espeak-ng:en-gb+f3")]
    [InlineData("flite:slt")]
    [InlineData("flite:kal16")]
    [InlineData("flite:kal")]
    public void RendersAudibleSpeechAt16kHz(string voice)
    {
        var x = _tts.Render("hey jarvis, open my window", voice);
        var seconds = x.Length / (double)Fs;
        Assert.InRange(seconds, 0.8, 4.0);
        var rms = Math.Sqrt(SignalMeasures.Power(x));
        Assert.True(rms > 0.01, $"rms {rms}");
        // Speech energy sits in the voice band, not at DC or hiss.
        var voiceBand = SignalMeasures.BandPower(x, Fs, 100, 4000);
        var total = SignalMeasures.BandPower(x, Fs, 0, 8000);
        Assert.True(voiceBand / total > 0.7);
        // Silent gaps between words: a real utterance is not stationary noise.
        var frames = Enumerable.Range(0, x.Length / 320).Select(f => SignalMeasures.Power(x.AsSpan(f * 320, 320))).ToArray();
        Assert.True(frames.Max() > 100 * frames.Min());
    }

    [Fact]
    public void RateAndPitchChangeTheSpeech()
    {
        var normal = _tts.Render("set the temperature to twenty two degrees", "espeak-ng:en-us");
        var fast = _tts.Render("set the temperature to twenty two degrees", "espeak-ng:en-us", rate: 1.5);
        Assert.True(fast.Length < 0.8 * normal.Length);
        var slow = _tts.Render("set the temperature", "flite:slt", rate: 0.7);
        var flite = _tts.Render("set the temperature", "flite:slt");
        Assert.True(slow.Length > 1.2 * flite.Length);
        var high = _tts.Render("set the temperature", "flite:slt", pitch: 1.3);
        Assert.NotEqual(flite, high);
    }

    [Fact]
    public void CachesRendersByParameters()
    {
        var a = _tts.Render("cache me", "flite:slt");
        var b = _tts.Render("cache me", "flite:slt");
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("espeak-ng:no-such-voice")]
    [InlineData("flite:nosuch")]
    [InlineData("festival:kal")]
    [InlineData("slt")]
    public void UnknownVoicesAreBadInput(string voice)
    {
        var e = Assert.Throws<InvalidInputException>(() => _tts.Render("hello", voice));
        Assert.Equal("voice", e.Source);
    }
}
