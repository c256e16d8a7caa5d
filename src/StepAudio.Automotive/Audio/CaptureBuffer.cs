namespace StepAudio.Automotive.Audio;

/// <summary>
/// A live source read by its own thread into a ring of <see cref="Seconds"/>, so a slow hop downstream
/// does not overrun the device: the transcriber deciding a command takes ~0.8 s on one core
/// of this project's test machine, the ALSA buffer holds 80 ms. When the ring is full the oldest audio is dropped
/// (the pipeline catches up on recent sound) and counted with the device's own overruns; a stream
/// (raw PCM from a pipe or file) is made to wait instead, as it would without the ring. The reader
/// thread is the only one touching the device; a device error reaches <see cref="Read"/> after the
/// audio captured before it.
/// </summary>
public sealed class CaptureBuffer : IAudioSource
{
    private readonly IAudioSource _device;
    private readonly SampleRing _ring;
    private readonly float[] _chunk;
    private readonly Thread _reader;
    private readonly object _lock = new(); // Monitor: the reader waits for audio
    private long _read; // position in the ring's stream of the next sample to hand out
    private long _dropped;
    private bool _ended;
    private Exception? _error;
    private volatile bool _stopping;
    private readonly bool _dropWhenFull;

    /// <param name="device">The live source; owned.</param>
    /// <param name="seconds">Audio the ring holds.</param>
    /// <param name="dropWhenFull">A device that cannot wait (ALSA): drop the oldest audio when the ring is full; false: the reader waits.</param>
    public CaptureBuffer(IAudioSource device, double seconds = 4, bool dropWhenFull = true)
    {
        _dropWhenFull = dropWhenFull;
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 0.05);
        _device = device;
        Seconds = seconds;
        _ring = new SampleRing((int)(seconds * device.SampleRate) * device.Channels);
        _chunk = new float[Math.Max(1, device.SampleRate / 100) * device.Channels]; // 10 ms reads
        _reader = new Thread(Pump) { IsBackground = true, Name = "capture " + device.Name };
        _reader.Start();
    }

    public double Seconds { get; }
    public string Name => _device.Name;
    public int Channels => _device.Channels;
    public int SampleRate => _device.SampleRate;
    public bool IsLive => _device.IsLive;

    /// <summary>The device's overruns plus the times the ring was full and dropped its oldest audio.</summary>
    public long Overruns => _device.Overruns + Interlocked.Read(ref _dropped);

    /// <summary>Audio waiting in the ring, in seconds: how far the pipeline is behind the device.</summary>
    public double BehindSeconds
    {
        get
        {
            lock (_lock) return (double)(_ring.Written - _read) / Channels / SampleRate;
        }
    }

    private void Pump()
    {
        try
        {
            while (!_stopping)
            {
                var frames = _device.Read(_chunk);
                if (frames == 0) break;
                Append(_chunk.AsSpan(0, frames * Channels));
            }
        }
        catch (Exception e)
        {
            // After Dispose a blocked stream may fail as it closes: that is no device error.
            if (!_stopping) lock (_lock) _error = e;
        }
        finally
        {
            lock (_lock)
            {
                _ended = true;
                Monitor.PulseAll(_lock);
            }
        }
    }

    private void Append(ReadOnlySpan<float> samples)
    {
        lock (_lock)
        {
            while (!_dropWhenFull && !_stopping && _ring.Written + samples.Length - _read > _ring.Capacity) Monitor.Wait(_lock);
            var overflow = _ring.Written + samples.Length - _read - _ring.Capacity;
            if (overflow > 0)
            {
                _read += overflow; // whole frames: both counts stay multiples of Channels
                _dropped++;
            }
            _ring.Write(samples);
            Monitor.PulseAll(_lock);
        }
    }

    public int Read(Span<float> destination)
    {
        var maxSamples = destination.Length / Channels * Channels;
        if (maxSamples == 0) return 0;
        lock (_lock)
        {
            while (_ring.Written == _read && !_ended) Monitor.Wait(_lock);
            if (_ring.Written == _read)
            {
                if (_error is IOException io) throw new IOException(io.Message, io);
                if (_error is InvalidInputException bad) throw new InvalidInputException(bad.Source, bad.Problem, bad);
                if (_error is not null) throw new IOException($"{Name}: capture failed: {_error.Message}", _error);
                return 0;
            }
            var count = (int)Math.Min(maxSamples, _ring.Written - _read);
            _ring.CopyTo(_read, destination[..count]);
            _read += count;
            Monitor.PulseAll(_lock);
            return count / Channels;
        }
    }

    /// <summary>Stops the reader (a live device returns within a period) and closes the device.</summary>
    public void Dispose()
    {
        _stopping = true;
        lock (_lock) Monitor.PulseAll(_lock);
        _reader.Join(TimeSpan.FromSeconds(2));
        _device.Dispose();
    }
}
