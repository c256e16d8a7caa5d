using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// Steps a video source on the audio's stream time: a frame is consumed once the audio has passed its
/// timestamp, so audio and video stay aligned however fast a replay runs. Keeps the input's health
/// (frames, rate, dropped and out-of-order frames) for the status event. A failing source is reported
/// and closed (the pipeline goes on audio-only); it never throws into the audio path. With
/// <see cref="Reopen"/> set (a live camera), it is reopened every <see cref="RetrySeconds"/> of stream
/// time until it delivers again.
/// </summary>
public sealed class VideoInput : IDisposable
{
    private IVideoSource _source;
    private VideoFrame _frame;
    private double _retryAt;
    private readonly FrameClock _clock;
    private bool _pending;
    private double _pendingTime;
    private double _firstTime;
    private double _lastTime;
    private long _reportedAnomalies;
    private string _state = "ok";

    public VideoInput(IVideoSource source)
    {
        _source = source;
        _frame = VideoFrame.For(source);
        _clock = new FrameClock(source.FrameRate);
    }

    /// <summary>
    /// A live camera, opened with <paramref name="open"/> and reopened with it after a loss. One that cannot be
    /// opened at start (unplugged, not yet enumerated) starts lost: the pipeline runs audio-only and it is tried
    /// again every <see cref="RetrySeconds"/> of stream time, as after a loss, so a camera that appears later is used.
    /// </summary>
    public static VideoInput Live(Func<IVideoSource> open, string name, int width, int height, VideoPixelFormat format, double frameRate)
    {
        try
        {
            return new VideoInput(open()) { Reopen = open };
        }
        catch (IOException e)
        {
            var input = new VideoInput(new UnopenedCamera(name, width, height, format, frameRate)) { Reopen = open };
            input.Lose(e.Message, streamTime: 0);
            return input;
        }
    }

    /// <summary>Stands in for a camera that could not be opened until <see cref="Reopen"/> succeeds.</summary>
    private sealed record UnopenedCamera(string Name, int Width, int Height, VideoPixelFormat Format, double FrameRate) : IVideoSource
    {
        public bool IsLive => true;

        public bool Read(VideoFrame frame) => throw new IOException($"{Name}: not open");

        public void Dispose()
        {
        }
    }

    /// <summary>Called for each frame as it is consumed, with its stream time; the frame is reused afterwards.</summary>
    public Action<VideoFrame, double>? FrameReady { get; set; }

    /// <summary>Opens the camera again after it failed; null for a recording, which is never reopened.</summary>
    public Func<IVideoSource>? Reopen { get; init; }

    /// <summary>Stream time between attempts to reopen a lost camera.</summary>
    public double RetrySeconds { get; init; } = 2;

    /// <summary>Times a lost camera was reopened.</summary>
    public long Reopened { get; private set; }

    public string Name => _source.Name;
    public int Width => _source.Width;
    public int Height => _source.Height;

    /// <summary>Frames consumed so far.</summary>
    public long Frames { get; private set; }

    /// <summary>"ok", "ended" (the recording is over), or "lost" (the source failed; see <see cref="Problem"/>).</summary>
    public string State => _state;

    public string? Problem { get; private set; }

    /// <summary>
    /// Consumes every frame whose time is at or before <paramref name="streamTime"/>. True when the health
    /// worth a status event changed (a new anomaly, the end, a failure).
    /// </summary>
    public bool AdvanceTo(double streamTime)
    {
        var restored = false;
        if (_state == "lost" && Reopen is not null && streamTime >= _retryAt)
            restored = TryReopen(streamTime);
        if (_state != "ok") return false;
        try
        {
            while (true)
            {
                if (!_pending)
                {
                    if (!_source.Read(_frame))
                    {
                        _state = "ended";
                        return true;
                    }
                    _pendingTime = _clock.Accept(_frame.Timestamp);
                    _pending = true;
                }
                if (_pendingTime > streamTime) break;
                _pending = false;
                if (Frames == 0) _firstTime = _pendingTime;
                _lastTime = _pendingTime;
                Frames++;
                FrameReady?.Invoke(_frame, _pendingTime);
            }
        }
        catch (Exception e) when (e is IOException or InvalidInputException)
        {
            Lose(e.Message.StartsWith(_source.Name, StringComparison.Ordinal) || e is InvalidInputException ? e.Message : $"{_source.Name}: {e.Message}", streamTime);
            return true;
        }
        var anomalies = _clock.OutOfOrder + _clock.Jumps;
        if (anomalies == _reportedAnomalies) return restored;
        _reportedAnomalies = anomalies;
        return true;
    }

    private void Lose(string problem, double streamTime)
    {
        _state = "lost";
        Problem = problem;
        _pending = false;
        _retryAt = streamTime + RetrySeconds;
        // Let go of the device now, so it can be opened again.
        if (Reopen is not null) _source.Dispose();
    }

    private bool TryReopen(double streamTime)
    {
        try
        {
            var source = Reopen!();
            _source = source;
            if (source.Width != _frame.Width || source.Height != _frame.Height) _frame = VideoFrame.For(source);
            _clock.Restart(streamTime);
            _state = "ok";
            Problem = null;
            Reopened++;
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidInputException)
        {
            Problem = e.Message;
            _retryAt = streamTime + RetrySeconds;
            return false;
        }
    }

    /// <summary>The latest timestamp anomaly, or the failure, for the status warnings.</summary>
    public string? Warning => Problem ?? (_clock.Warning is null ? null : $"{_source.Name}: {_clock.Warning}");

    public VideoInputStatus Status()
    {
        var span = _lastTime - _firstTime;
        var fps = span > 0 ? (Frames - 1) / span : 0;
        return new VideoInputStatus(
            _source.Name,
            _state,
            _source.Width,
            _source.Height,
            _source.Format.Name(),
            CabinEvent.Round(_source.FrameRate),
            Frames,
            CabinEvent.Round(fps),
            _clock.Dropped,
            _clock.OutOfOrder,
            _clock.Jumps,
            Reopened);
    }

    public void Dispose() => _source.Dispose();
}
