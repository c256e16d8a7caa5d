using System.Diagnostics;
using StepAudio.Automotive.Audio;

namespace StepAudio.Automotive.Pipeline;

/// <summary>
/// Pulls audio from a source and feeds the pipeline hop by hop. Recordings run as fast as the CPU
/// allows unless paced; a live source that fails is reported and reopened with backoff, and the
/// runner keeps going until cancelled.
/// </summary>
public sealed class PipelineRunner
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly Func<IAudioSource> _open;
    private readonly CabinPipeline _pipeline;
    private readonly bool _realtime;
    private readonly TimeProvider _time;
    private readonly bool _retryOpen;
    private long _progress;
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="open">Opens (or reopens, after a failure) the audio source.</param>
    /// <param name="realtime">Pace a recording to wall-clock time, as a live device would deliver it.</param>
    /// <param name="retryOpen">A live device that cannot be opened at start is reported and retried, like one that vanishes later.</param>
    public PipelineRunner(Func<IAudioSource> open, CabinPipeline pipeline, bool realtime = false, TimeProvider? time = null, bool retryOpen = false)
    {
        _retryOpen = retryOpen;
        _open = open;
        _pipeline = pipeline;
        _realtime = realtime;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Hops processed, for the watchdog: a stalled loop stops this from moving.</summary>
    public long Progress => Interlocked.Read(ref _progress);

    /// <summary>
    /// Completes once the first attempt to open the source is over (opened, or reported lost and being
    /// retried), or faults with the reason it could not be opened: the service reports ready after this.
    /// </summary>
    public Task Opened => _opened.Task;

    public void Run(CancellationToken ct)
    {
        var failures = 0;
        IAudioSource? source;
        try
        {
            source = OpenFirst(ref failures, ct);
        }
        catch (Exception e)
        {
            _opened.TrySetException(e);
            throw;
        }
        if (source is null) return;
        try
        {
            var channels = _pipeline.CaptureChannels;
            var hop = new float[CabinPipeline.HopFrames * channels];
            var filled = 0;
            var started = _time.GetTimestamp();
            while (!ct.IsCancellationRequested)
            {
                int n;
                try
                {
                    n = source.Read(hop.AsSpan(filled));
                }
                catch (IOException e) when (source.IsLive)
                {
                    source.Dispose();
                    _pipeline.InputLost(e.Message.StartsWith(source.Name, StringComparison.Ordinal) ? e.Message : $"{source.Name}: {e.Message}");
                    source = Reopen(ref failures, ct);
                    if (source is null) break;
                    _pipeline.InputRestored(source.Name);
                    continue;
                }
                if (n == 0) break;
                filled += n * channels;
                if (filled < hop.Length) continue;
                filled = 0;
                _pipeline.Process(hop, source.Overruns);
                Interlocked.Increment(ref _progress);
                failures = 0;
                if (_realtime) PaceTo(started, ct);
            }
            _pipeline.Finish();
        }
        finally
        {
            source?.Dispose();
        }
    }

    private IAudioSource? OpenFirst(ref int failures, CancellationToken ct)
    {
        try
        {
            var opened = _open();
            _pipeline.Start(opened.Name);
            _opened.TrySetResult();
            return opened;
        }
        catch (IOException e) when (_retryOpen)
        {
            _pipeline.Start("unavailable");
            _pipeline.InputLost(e.Message);
            _opened.TrySetResult();
        }
        var source = Reopen(ref failures, ct);
        if (source is null)
            _pipeline.Finish();
        else
            _pipeline.InputRestored(source.Name);
        return source;
    }

    private IAudioSource? Reopen(ref int failures, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            ct.WaitHandle.WaitOne(Backoff[Math.Min(failures, Backoff.Length - 1)]);
            failures++;
            if (ct.IsCancellationRequested) break;
            try
            {
                return _open();
            }
            catch (Exception e) when (e is IOException or InvalidInputException)
            {
                Trace.TraceWarning($"audio reopen failed: {e.Message}");
            }
        }
        return null;
    }

    private void PaceTo(long started, CancellationToken ct)
    {
        var ahead = TimeSpan.FromSeconds(_pipeline.StreamTime) - _time.GetElapsedTime(started);
        if (ahead > TimeSpan.FromMilliseconds(1)) ct.WaitHandle.WaitOne(ahead);
    }
}
