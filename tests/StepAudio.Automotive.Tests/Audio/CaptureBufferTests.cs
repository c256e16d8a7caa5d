using System.Collections.Concurrent;
using StepAudio.Automotive.Audio;

namespace StepAudio.Automotive.Tests.Audio;

/// <summary>
/// The ring between a live device and the pipeline: a slow consumer loses nothing while the ring has room,
/// a device that cannot wait loses its oldest audio (counted as overruns) once it is full, and a device error
/// reaches the consumer after the audio captured before it.
/// </summary>
public class CaptureBufferTests
{
    private const int Rate = 16000;
    private const int Channels = 2;
    private const int ChunkFrames = Rate / 100;

    /// <summary>A stand-in for the capture device: hands out the chunks the test queues, one per read, and says which read it waits in.</summary>
    private sealed class QueuedDevice : IAudioSource
    {
        private readonly BlockingCollection<Func<float[]>> _chunks = [];
        private readonly CancellationTokenSource _closed = new();

        public BlockingCollection<int> Waiting { get; } = [];

        private int _reads;

        public string Name => "queued";
        public int Channels => CaptureBufferTests.Channels;
        public int SampleRate => Rate;
        public bool IsLive => true;

        public void Add(float[] chunk) => _chunks.Add(() => chunk);

        public void Fail(string message) => _chunks.Add(() => throw new IOException(message));

        public void End() => _chunks.CompleteAdding();

        public int Read(Span<float> destination)
        {
            Waiting.Add(++_reads);
            if (!_chunks.TryTake(out var next, Timeout.Infinite, _closed.Token)) return 0;
            var chunk = next();
            chunk.CopyTo(destination);
            return chunk.Length / Channels;
        }

        public bool Closed => _closed.IsCancellationRequested;

        public void Dispose() => _closed.Cancel();
    }

    /// <summary>Chunk k: every sample is k (10 ms, both channels).</summary>
    private static float[] Chunk(int k) => Enumerable.Repeat((float)k, ChunkFrames * Channels).ToArray();

    private static void WaitForRead(QueuedDevice device, int read)
    {
        while (device.Waiting.Take() < read) { }
    }

    private static List<float> ReadAll(CaptureBuffer buffer)
    {
        var all = new List<float>();
        var hop = new float[ChunkFrames * Channels * 3];
        int n;
        while ((n = buffer.Read(hop)) > 0) all.AddRange(hop.AsSpan(0, n * Channels).ToArray());
        return all;
    }

    [Fact]
    public void AConsumerBehindByLessThanTheRingLosesNothing()
    {
        var device = new QueuedDevice();
        using var buffer = new CaptureBuffer(device, seconds: 0.1);
        for (var k = 1; k <= 8; k++) device.Add(Chunk(k));
        WaitForRead(device, 9); // all eight chunks are in the ring, the consumer has read none
        Assert.Equal(0.08, buffer.BehindSeconds, 6);
        device.End();
        var all = ReadAll(buffer);
        Assert.Equal(Enumerable.Range(1, 8).SelectMany(Chunk), all);
        Assert.Equal(0, buffer.Overruns);
    }

    [Fact]
    public void AFullRingDropsTheOldestAudioAndCountsIt()
    {
        var device = new QueuedDevice();
        using var buffer = new CaptureBuffer(device, seconds: 0.05);
        for (var k = 1; k <= 8; k++) device.Add(Chunk(k));
        WaitForRead(device, 9);
        device.End();
        // 50 ms of ring: chunks 4..8 remain, three were dropped.
        Assert.Equal(Enumerable.Range(4, 5).SelectMany(Chunk), ReadAll(buffer));
        Assert.Equal(3, buffer.Overruns);
    }

    [Fact]
    public void AStreamWaitsForRoomInsteadOfLosingAudio()
    {
        var device = new QueuedDevice();
        using var buffer = new CaptureBuffer(device, seconds: 0.05, dropWhenFull: false);
        for (var k = 1; k <= 8; k++) device.Add(Chunk(k));
        device.End();
        Assert.Equal(Enumerable.Range(1, 8).SelectMany(Chunk), ReadAll(buffer));
        Assert.Equal(0, buffer.Overruns);
    }

    [Fact]
    public void ADeviceErrorArrivesAfterTheAudioBeforeIt()
    {
        var device = new QueuedDevice();
        using var buffer = new CaptureBuffer(device);
        device.Add(Chunk(1));
        device.Add(Chunk(2));
        device.Fail("queued: device unplugged");
        var hop = new float[ChunkFrames * Channels * 4];
        var got = new List<float>();
        void ReadUntilError()
        {
            while (true) got.AddRange(hop.AsSpan(0, buffer.Read(hop) * Channels).ToArray());
        }
        var e = Assert.Throws<IOException>(ReadUntilError);
        Assert.Equal("queued: device unplugged", e.Message);
        Assert.Equal(Chunk(1).Concat(Chunk(2)), got);
    }

    [Fact]
    public void DisposeStopsTheReaderBlockedInTheDevice()
    {
        var device = new QueuedDevice();
        var buffer = new CaptureBuffer(device);
        WaitForRead(device, 1); // the reader waits in the device for audio that never comes
        buffer.Dispose(); // waits up to 2 s for the reader, then closes the device under it
        Assert.True(device.Closed);
        Assert.Equal(0, buffer.Read(new float[Channels])); // the reader ended without an error: end of stream
    }
}
