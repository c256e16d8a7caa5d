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

    /// <summary>The latest status event, for the status LED.</summary>
    public StatusEvent? LastStatus { get; private set; }

    public void Attach(Func<long> progress) => _progress = progress;

    public void Publish(CabinEvent e)
    {
        var count = Interlocked.Increment(ref _events);
        if (e is not StatusEvent s) return;
        LastStatus = s;
        var audio = s.Audio;
        var mics = audio.Channels - audio.DeadChannels.Count;
        _summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{s.State}; input {audio.State} ({audio.Source}); mics {mics}/{audio.Channels} live; overruns {audio.Overruns}; muted {(s.PrivacySwitch ? "all (privacy switch)" : s.MutedZones.Count == 0 ? "none" : string.Join(",", s.MutedZones))}; events {count}; stream {s.StreamTime:0.0} s");
    }
}
