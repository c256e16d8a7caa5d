using System.Buffers.Binary;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tests.Audio;

public class WavFileSourceTests
{
    private static float[] Signal(int frames, int channels)
    {
        var x = new float[frames * channels];
        var rng = new Random(7);
        for (var i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() * 1.6) - 0.8);
        return x;
    }

    private static float[] ReadAll(IAudioSource s)
    {
        var all = new List<float>();
        var buf = new float[333 * s.Channels]; // odd block size: reads must not assume alignment
        int n;
        while ((n = s.Read(buf)) > 0) all.AddRange(buf.AsSpan(0, n * s.Channels).ToArray());
        return [.. all];
    }

    [Theory]
    [InlineData(PcmSampleFormat.S16, false, 1.0 / 32768)]
    [InlineData(PcmSampleFormat.S24, false, 1.0 / 8388608)]
    [InlineData(PcmSampleFormat.S32, false, 1e-7)]
    [InlineData(PcmSampleFormat.F32, false, 0)]
    [InlineData(PcmSampleFormat.S16, true, 1.0 / 32768)]
    [InlineData(PcmSampleFormat.F32, true, 0)]
    public void ReadsEveryFormatBackToTheSamplesWritten(PcmSampleFormat format, bool extensible, double tolerance)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "x.wav");
        var x = Signal(4000, 4);
        WavWriter.Write(path, x, 4, 16000, format, extensible);
        using var s = WavFileSource.Open(path);
        Assert.Equal(4, s.Channels);
        Assert.Equal(16000, s.SampleRate);
        Assert.Equal(format, s.Format);
        Assert.Equal(4000, s.TotalFrames);
        var y = ReadAll(s);
        Assert.Equal(x.Length, y.Length);
        for (var i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= tolerance, $"sample {i}: {x[i]} vs {y[i]}");
    }

    [Fact]
    public void DecodesNegativeFullScale24Bit()
    {
        ReadOnlySpan<byte> bytes = [0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F];
        var dst = new float[2];
        PcmSampleFormat.S24.Decode(bytes, dst);
        Assert.Equal(-1f, dst[0]);
        Assert.Equal(8388607f / 8388608f, dst[1]);
    }

    [Fact]
    public void SkipsUnknownChunksBeforeData()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "x.wav");
        var x = Signal(100, 2);
        using (var ms = new MemoryStream())
        {
            WavWriter.Write(ms, x, 2, 16000);
            var b = ms.ToArray();
            // Insert an odd-sized LIST chunk (with its pad byte) between fmt and data.
            byte[] list = [.. "LIST"u8, 3, 0, 0, 0, 1, 2, 3, 0];
            var withList = b[..36].Concat(list).Concat(b[36..]).ToArray();
            BinaryPrimitives.WriteInt32LittleEndian(withList.AsSpan(4), withList.Length - 8);
            File.WriteAllBytes(path, withList);
        }
        using var s = WavFileSource.Open(path);
        Assert.Equal(x.Length, ReadAll(s).Length);
    }

    [Fact]
    public void TruncatedDataIsAnErrorNamingTheFile()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "cut.wav");
        using (var ms = new MemoryStream())
        {
            WavWriter.Write(ms, Signal(1000, 4), 4, 16000);
            File.WriteAllBytes(path, ms.ToArray()[..3000]);
        }
        var e = Assert.Throws<InvalidInputException>(() => WavFileSource.Open(path));
        Assert.Equal($"{path}: truncated: the data chunk declares 8000 bytes but only 2956 follow", e.Message);
    }

    [Fact]
    public void ShortHeaderIsTruncated()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "tiny.wav");
        File.WriteAllBytes(path, "RIFF"u8.ToArray());
        var e = Assert.Throws<InvalidInputException>(() => WavFileSource.Open(path));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonPcmIsRejected()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "mp3.wav");
        using (var ms = new MemoryStream())
        {
            WavWriter.Write(ms, Signal(10, 1), 1, 16000);
            var b = ms.ToArray();
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), 0x0055);
            File.WriteAllBytes(path, b);
        }
        var e = Assert.Throws<InvalidInputException>(() => WavFileSource.Open(path));
        Assert.Equal($"{path}: not PCM: format tag 0x0055 (only PCM and IEEE float are read)", e.Message);
    }

    [Fact]
    public void EightBitPcmIsRejected()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "u8.wav");
        using (var ms = new MemoryStream())
        {
            WavWriter.Write(ms, Signal(10, 2), 2, 16000);
            var b = ms.ToArray();
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(32), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), 8);
            File.WriteAllBytes(path, b);
        }
        var e = Assert.Throws<InvalidInputException>(() => WavFileSource.Open(path));
        Assert.Contains("PCM 8-bit is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAWaveFileIsRejected()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "text.wav");
        File.WriteAllText(path, "this is not audio at all, just text");
        var e = Assert.Throws<InvalidInputException>(() => WavFileSource.Open(path));
        Assert.Equal($"{path}: not a RIFF/WAVE file", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var e = Assert.Throws<InvalidInputException>(() => WavFileSource.Open("/nonexistent/a.wav"));
        Assert.Equal("/nonexistent/a.wav: file not found", e.Message);
    }

    [Fact]
    public void WrongChannelCountForTheProfileIsRejected()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "stereo.wav");
        WavWriter.Write(path, Signal(100, 2), 2, 16000);
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        var e = Assert.Throws<InvalidInputException>(() => AudioSourceFactory.OpenRecording(path, profile));
        Assert.Equal($"{path}: 2 channel(s), but cabin profile 'sedan-console-circular' has 4 microphones (one channel per microphone, in profile order)", e.Message);
    }

    [Fact]
    public void OtherRatesAreResampledToThePipelineRate()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "48k.wav");
        WavWriter.Write(path, Signal(48000, 4), 4, 48000);
        var profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);
        using var s = AudioSourceFactory.OpenRecording(path, profile);
        Assert.Equal(16000, s.SampleRate);
        Assert.Equal(16000 * 4, ReadAll(s).Length);
    }
}
