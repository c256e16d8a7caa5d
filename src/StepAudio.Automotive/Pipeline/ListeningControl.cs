using System.Collections.Concurrent;

namespace StepAudio.Automotive.Pipeline;

/// <summary>
/// Whether and where the service listens: privacy mute per zone (from the infotainment over MQTT)
/// and the hardware privacy switch (mutes every zone and wins over software), and push-to-talk.
/// Safe to call from any thread (GPIO callbacks, MQTT handlers); the pipeline applies what was
/// asked at its next hop, so its effect lands at a definite stream time.
/// </summary>
public sealed class ListeningControl
{
    private readonly string[] _zones;
    private readonly bool[] _softwareMuted;
    private readonly ConcurrentQueue<string> _pushToTalk = new();
    private readonly Lock _lock = new();
    private bool _privacySwitch;
    private int _version;

    public ListeningControl(IEnumerable<string> zones)
    {
        _zones = [.. zones];
        _softwareMuted = new bool[_zones.Length];
    }

    public IReadOnlyList<string> Zones => _zones;

    /// <summary>Changes each time the mute state changes, so the pipeline can tell cheaply.</summary>
    internal int Version => Volatile.Read(ref _version);

    /// <summary>Mutes or unmutes one zone, or every zone when <paramref name="zone"/> is null.</summary>
    /// <exception cref="InvalidInputException">The zone is not in the cabin profile.</exception>
    public void SetMuted(string? zone, bool muted)
    {
        var index = zone is null ? -1 : IndexOf(zone);
        lock (_lock)
        {
            if (index < 0) Array.Fill(_softwareMuted, muted);
            else _softwareMuted[index] = muted;
            _version++;
        }
    }

    /// <summary>The hardware privacy switch: while on, nothing is listened to, whatever software asks.</summary>
    public void SetPrivacySwitch(bool on)
    {
        lock (_lock)
        {
            _privacySwitch = on;
            _version++;
        }
    }

    public bool PrivacySwitch
    {
        get
        {
            lock (_lock) return _privacySwitch;
        }
    }

    /// <summary>Nothing is being listened to: the privacy switch is on or every zone is muted.</summary>
    public bool AllMuted
    {
        get
        {
            lock (_lock) return _privacySwitch || Array.TrueForAll(_softwareMuted, m => m);
        }
    }

    public bool IsMuted(string zone) => IsMuted(IndexOf(zone));

    public bool IsMuted(int zoneIndex)
    {
        lock (_lock) return _privacySwitch || _softwareMuted[zoneIndex];
    }

    /// <summary>The muted zones, in profile order.</summary>
    public IReadOnlyList<string> MutedZones()
    {
        lock (_lock) return [.. _zones.Where((_, i) => _privacySwitch || _softwareMuted[i])];
    }

    /// <summary>Push-to-talk pressed for a zone: acts like a wake word there (unless that zone is muted).</summary>
    public void PushToTalk(string zone)
    {
        IndexOf(zone);
        _pushToTalk.Enqueue(zone);
    }

    internal bool TryTakePushToTalk(out string zone) => _pushToTalk.TryDequeue(out zone!);

    /// <summary>The zone's index in the cabin profile's order (the order of the pipeline's beams).</summary>
    public int IndexOf(string zone)
    {
        var i = Array.IndexOf(_zones, zone);
        if (i < 0) throw new InvalidInputException("zone", $"unknown zone '{zone}' (this cabin has {string.Join(", ", _zones)})");
        return i;
    }
}
