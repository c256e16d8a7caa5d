using StepAudio.Automotive.Audio.Alsa;

namespace StepAudio.Automotive.Audio;

/// <summary>
/// Live capture from an ALSA PCM (the cabin microphone array's codec) through libasound, interleaved
/// S16_LE or S32_LE. Overruns are recovered and counted; a device that fails (unplugged, driver
/// error) raises <see cref="IOException"/> so the runner reports it and reopens.
/// </summary>
public sealed unsafe class AlsaCaptureSource : IAudioSource
{
    private nint _pcm;
    private nint _config;
    private readonly byte[] _buffer;
    private readonly int _frameBytes;
    private long _overruns;

    /// <param name="device">PCM name: <c>default</c>, <c>hw:2,0</c>, or one defined in asound.conf or <paramref name="configFile"/>.</param>
    /// <param name="configFile">Optional ALSA configuration loaded on top of the system one (e.g. the vehicle's array definition).</param>
    /// <param name="periodFrames">Frames per ALSA period; one pipeline hop (10 ms) keeps latency low.</param>
    public AlsaCaptureSource(string device, int channels, int sampleRate, PcmSampleFormat format, string? configFile = null, int periodFrames = 160)
    {
        if (format is not (PcmSampleFormat.S16 or PcmSampleFormat.S32))
            throw new InvalidInputException("alsa:" + device, $"capture format {format} is not supported (use s16le or s32le)");
        Name = "alsa:" + device;
        Channels = channels;
        Format = format;
        _frameBytes = channels * format.BytesPerSample();
        try
        {
            Open(device, configFile);
            SampleRate = Configure(channels, sampleRate, periodFrames, out var period);
            _buffer = new byte[checked((int)period * 4 * _frameBytes)];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }
    public int Channels { get; }

    /// <summary>The rate the device granted (may differ from the one asked for; the factory resamples).</summary>
    public int SampleRate { get; }

    public bool IsLive => true;
    public PcmSampleFormat Format { get; }
    public long Overruns => Interlocked.Read(ref _overruns);

    private void Open(string device, string? configFile)
    {
        int err;
        if (configFile is null)
        {
            err = LibAsound.PcmOpen(out _pcm, device, LibAsound.StreamCapture, 0);
        }
        else
        {
            _config = LoadConfig(configFile);
            err = LibAsound.PcmOpenLconf(out _pcm, device, LibAsound.StreamCapture, 0, _config);
        }
        if (err < 0) throw new IOException($"{Name}: cannot open capture device: {LibAsound.Describe(err)}");
    }

    /// <summary>The system configuration with the file's definitions added, so hw:N names keep working.</summary>
    private static nint LoadConfig(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "ALSA configuration file not found");
        Check(LibAsound.ConfigUpdateRef(out var top), path, "cannot read the system ALSA configuration");
        nint config;
        try
        {
            Check(LibAsound.ConfigCopy(out config, top), path, "cannot copy the system ALSA configuration");
        }
        finally
        {
            LibAsound.ConfigUnref(top);
        }
        Check(LibAsound.InputStdioOpen(out var input, path, "r"), path, "cannot open");
        try
        {
            var err = LibAsound.ConfigLoad(config, input);
            if (err < 0)
            {
                _ = LibAsound.ConfigDelete(config);
                throw new InvalidInputException(path, $"not a valid ALSA configuration: {LibAsound.Describe(err)}");
            }
        }
        finally
        {
            _ = LibAsound.InputClose(input);
        }
        return config;

        static void Check(int err, string file, string what)
        {
            if (err < 0) throw new InvalidInputException(file, $"{what}: {LibAsound.Describe(err)}");
        }
    }

    private int Configure(int channels, int sampleRate, int periodFrames, out nuint period)
    {
        Check(LibAsound.HwParamsMalloc(out var hw), "allocate hw_params");
        try
        {
            Check(LibAsound.HwParamsAny(_pcm, hw), "read the device's capabilities");
            Check(LibAsound.HwParamsSetAccess(_pcm, hw, LibAsound.AccessRwInterleaved), "interleaved read/write access is not supported");
            var alsaFormat = Format == PcmSampleFormat.S16 ? LibAsound.FormatS16Le : LibAsound.FormatS32Le;
            Check(LibAsound.HwParamsSetFormat(_pcm, hw, alsaFormat), $"format {(Format == PcmSampleFormat.S16 ? "S16_LE" : "S32_LE")} is not supported");
            Check(LibAsound.HwParamsSetChannels(_pcm, hw, (uint)channels), $"{channels} channels are not supported (the cabin profile has {channels} mics)");
            var rate = (uint)sampleRate;
            var dir = 0;
            Check(LibAsound.HwParamsSetRateNear(_pcm, hw, ref rate, ref dir), $"no rate near {sampleRate} Hz");
            period = (nuint)periodFrames;
            Check(LibAsound.HwParamsSetPeriodSizeNear(_pcm, hw, ref period, ref dir), $"period of {periodFrames} frames refused");
            var bufferFrames = period * 8; // 80 ms of slack before an overrun at the default period
            Check(LibAsound.HwParamsSetBufferSizeNear(_pcm, hw, ref bufferFrames), "buffer size refused");
            Check(LibAsound.HwParams(_pcm, hw), "hw_params refused");
            Check(LibAsound.PcmPrepare(_pcm), "prepare failed");
            return (int)rate;
        }
        finally
        {
            LibAsound.HwParamsFree(hw);
        }

        void Check(int err, string what)
        {
            if (err < 0) throw new InvalidInputException(Name, $"{what}: {LibAsound.Describe(err)}");
        }
    }

    public int Read(Span<float> destination)
    {
        var frames = Math.Min(destination.Length / Channels, _buffer.Length / _frameBytes);
        if (frames == 0) return 0;
        while (true)
        {
            nint got;
            fixed (byte* p = _buffer)
                got = LibAsound.PcmReadi(_pcm, p, (nuint)frames);
            if (got > 0)
            {
                var n = (int)got;
                Format.Decode(_buffer.AsSpan(0, n * _frameBytes), destination[..(n * Channels)]);
                return n;
            }
            var err = (int)got;
            switch (-err)
            {
                case 0:
                case LibAsound.EAgain:
                case LibAsound.EIntr:
                    continue;
                case LibAsound.EPipe:
                    // The pipeline fell behind and the driver overwrote samples: count it, restart the stream.
                    Interlocked.Increment(ref _overruns);
                    Recover(LibAsound.PcmPrepare(_pcm));
                    continue;
                case LibAsound.EStrPipe:
                    Recover(LibAsound.PcmRecover(_pcm, err, 1));
                    continue;
                default:
                    throw new IOException($"{Name}: capture failed: {LibAsound.Describe(err)}");
            }
        }
    }

    private void Recover(int err)
    {
        if (err < 0) throw new IOException($"{Name}: cannot recover the capture stream: {LibAsound.Describe(err)}");
    }

    public void Dispose()
    {
        if (_pcm != 0)
        {
            _ = LibAsound.PcmClose(_pcm);
            _pcm = 0;
        }
        if (_config != 0)
        {
            _ = LibAsound.ConfigDelete(_config);
            _config = 0;
        }
    }
}
