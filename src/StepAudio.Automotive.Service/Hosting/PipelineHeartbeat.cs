using System.Globalization;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>
/// What the watchdog needs to know about the pipeline: whether it is still moving (hops processed)
/// and a one-line health summary from the latest status event, for systemd's STATUS=.
/// </summary>
public sealed class PipelineHeartbeat : IEventSink
{
    private Func<long> _progress = () => 0;
    private volatile string _summary = "starting";
    private long _events;

    /// <summary>Hops processed so far; stops moving when capture or inference stalls.</summary>
    public long Progress => _progress();

    public string Summary => _summary;

    public void Attach(Func<long> progress) => _progress = progress;

    public void Publish(CabinEvent e)
    {
        var count = Interlocked.Increment(ref _events);
        if (e is not StatusEvent s) return;
        var audio = s.Audio;
        var mics = audio.Channels - audio.DeadChannels.Count;
        _summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{s.State}; input {audio.State} ({audio.Source}); mics {mics}/{audio.Channels} live; overruns {audio.Overruns}; events {count}; stream {s.StreamTime:0.0} s");
    }
}
