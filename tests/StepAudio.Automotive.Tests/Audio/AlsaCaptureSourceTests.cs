using System.Buffers.Binary;
using System.Text.Json;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;

namespace StepAudio.Automotive.Tests.Audio;

/// <summary>
/// Real libasound capture: an ALSA <c>file</c> PCM over the <c>null</c> device, defined in a test
/// configuration, replays a raw file as if it were the microphone array.
/// </summary>
public class AlsaCaptureSourceTests
{
    private const int Channels = 4;

    private static (string Config, short[] Samples) S16Device(int frames, string dir)
    {
        var samples = new short[frames * Channels];
        for (var i = 0; i < frames; i++)
            for (var c = 0; c < Channels; c++)
                samples[(i * Channels) + c] = (short)((((i * 37) + (c * 9001)) % 60001) - 30000);
        var raw = Path.Combine(dir, "capture.raw");
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
        File.WriteAllBytes(raw, bytes);
        return (WriteConfig(dir, raw), samples);
    }

    private static string WriteConfig(string dir, string raw)
    {
        var config = Path.Combine(dir, "asound.conf");
        File.WriteAllText(config, $$"""
            pcm.cabin_array {
              type file
              slave.pcm null
              file "/dev/null"
              infile "{{raw}}"
              format "raw"
            }
            """);
        return config;
    }

    private static void ReadExactly(AlsaCaptureSource source, Span<float> into)
    {
        var done = 0;
        while (done < into.Length)
        {
            var n = source.Read(into.Slice(done, Math.Min(640, into.Length - done)));
            Assert.True(n > 0, "capture returned no frames");
            done += n * source.Channels;
        }
    }

    [Fact]
    public void CapturesS16InterleavedSamplesExactlyAsTheDeviceDeliversThem()
    {
        var dir = TestPaths.NewTempDir();
        var (config, samples) = S16Device(4000, dir);
        using var source = new AlsaCaptureSource("cabin_array", Channels, 16000, PcmSampleFormat.S16, config);
        Assert.Equal(16000, source.SampleRate);
        Assert.True(source.IsLive);
        Assert.Equal("alsa:cabin_array", source.Name);

        var got = new float[samples.Length];
        ReadExactly(source, got);
        for (var i = 0; i < samples.Length; i++)
            Assert.Equal(samples[i] / 32768f, got[i]);
        Assert.Equal(0, source.Overruns);
    }

    [Fact]
    public void CapturesS32Samples()
    {
        var dir = TestPaths.NewTempDir();
        const int frames = 1000;
        var samples = new int[frames * Channels];
        var rng = new Random(5);
        for (var i = 0; i < samples.Length; i++) samples[i] = rng.Next(int.MinValue, int.MaxValue);
        var bytes = new byte[samples.Length * 4];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), samples[i]);
        var raw = Path.Combine(dir, "capture32.raw");
        File.WriteAllBytes(raw, bytes);

        using var source = new AlsaCaptureSource("cabin_array", Channels, 16000, PcmSampleFormat.S32, WriteConfig(dir, raw));
        var got = new float[samples.Length];
        ReadExactly(source, got);
        for (var i = 0; i < samples.Length; i++)
            Assert.Equal(samples[i] * (1f / 2147483648f), got[i]);
    }

    [Fact]
    public void AMissingDeviceIsAnIOErrorNamingIt()
    {
        var e = Assert.Throws<IOException>(() => new AlsaCaptureSource("no_such_cabin_array", Channels, 16000, PcmSampleFormat.S16));
        Assert.StartsWith("alsa:no_such_cabin_array: cannot open capture device: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenConfigurationFileIsBadInputNamingTheFile()
    {
        var dir = TestPaths.NewTempDir();
        var config = Path.Combine(dir, "broken.conf");
        File.WriteAllText(config, "pcm.cabin_array { type file infile ");
        var e = Assert.Throws<InvalidInputException>(() => new AlsaCaptureSource("cabin_array", Channels, 16000, PcmSampleFormat.S16, config));
        Assert.StartsWith(config + ": not a valid ALSA configuration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedFormatsAreRefusedBeforeTouchingTheDevice()
    {
        var e = Assert.Throws<InvalidInputException>(() => new AlsaCaptureSource("cabin_array", Channels, 16000, PcmSampleFormat.F32));
        Assert.Contains("use s16le or s32le", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePipelineRunsOnTheAlsaSourceUntilStopped()
    {
        var dir = TestPaths.NewTempDir();
        var (config, _) = S16Device(16000, dir);
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var sink = new EventList();
        var pipeline = new CabinPipeline(profile, sink);
        var runner = new PipelineRunner(() => AudioSourceFactory.OpenAlsa("cabin_array", profile, PcmSampleFormat.S16, config), pipeline, retryOpen: true);
        using var cts = new CancellationTokenSource();
        // The null device is not clocked: it delivers as fast as we read. Stop after one second of stream.
        var run = new Thread(() => runner.Run(cts.Token));
        run.Start();
        SpinWait.SpinUntil(() => runner.Progress >= 100 || !run.IsAlive);
        cts.Cancel();
        run.Join();
        var events = sink.Snapshot();

        var first = Assert.IsType<StatusEvent>(events[0]);
        Assert.Equal("running", first.State);
        Assert.Equal("alsa:cabin_array", first.Audio.Source);
        var last = Assert.IsType<StatusEvent>(events[^1]);
        Assert.Equal("stopped", last.State);
        Assert.True(last.StreamTime >= 1.0, JsonSerializer.Serialize<CabinEvent>(last, EventJsonContext.Default.CabinEvent));
    }

    [Fact]
    public void ADeviceMissingAtStartIsReportedAndTheServiceKeepsWaitingForIt()
    {
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var sink = new EventList();
        var pipeline = new CabinPipeline(profile, sink);
        using var cts = new CancellationTokenSource();
        var attempts = 0;
        var runner = new PipelineRunner(
            () =>
            {
                if (Interlocked.Increment(ref attempts) >= 2) cts.Cancel();
                return AudioSourceFactory.OpenAlsa("unplugged_array", profile, PcmSampleFormat.S16);
            },
            pipeline,
            retryOpen: true);
        runner.Run(cts.Token);
        var events = sink.Snapshot();

        Assert.True(attempts >= 2, "the device was not retried");
        var lost = Assert.IsType<StatusEvent>(events[1]);
        Assert.Equal("degraded", lost.State);
        Assert.Equal("lost", lost.Audio.State);
        Assert.Contains(lost.Warnings, w => w.StartsWith("alsa:unplugged_array: cannot open capture device", StringComparison.Ordinal));
    }
}
