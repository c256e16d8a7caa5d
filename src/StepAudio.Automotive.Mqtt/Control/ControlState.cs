namespace StepAudio.Automotive.Mqtt.Control;

/// <summary>
/// What the infotainment stack has told the service over the control topics: which zones are muted
/// (privacy), which seats are occupied, what is playing, and the runtime settings it may change.
/// Read by the pipeline from any thread.
/// </summary>
public sealed class ControlState
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _muted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _occupied = new(StringComparer.Ordinal);
    private PlaybackState _playback = new("stopped", null, null);
    private RuntimeSettings _settings = new();

    /// <summary>Raised after any accepted change.</summary>
    public event Action? Changed;

    public bool IsMuted(string zone)
    {
        lock (_gate) return _muted.Contains(zone);
    }

    public IReadOnlyCollection<string> MutedZones
    {
        get { lock (_gate) return [.. _muted]; }
    }

    /// <summary>Seat occupancy from the seat sensors; null when never reported for that seat.</summary>
    public bool? IsOccupied(string zone)
    {
        lock (_gate) return _occupied.TryGetValue(zone, out var o) ? o : null;
    }

    public PlaybackState Playback
    {
        get { lock (_gate) return _playback; }
    }

    public RuntimeSettings Settings
    {
        get { lock (_gate) return _settings; }
    }

    internal void SetMuted(IEnumerable<string> zones, bool muted)
    {
        lock (_gate)
            foreach (var z in zones)
                if (muted) _muted.Add(z);
                else _muted.Remove(z);
        Changed?.Invoke();
    }

    internal void SetOccupancy(IReadOnlyDictionary<string, bool> seats)
    {
        lock (_gate)
            foreach (var (zone, occupied) in seats) _occupied[zone] = occupied;
        Changed?.Invoke();
    }

    internal void SetPlayback(PlaybackState playback)
    {
        lock (_gate) _playback = playback;
        Changed?.Invoke();
    }

    internal void Apply(RuntimeSettings change)
    {
        lock (_gate)
        {
            _settings = new RuntimeSettings
            {
                WakeSensitivity = change.WakeSensitivity ?? _settings.WakeSensitivity,
                IntentMinConfidence = change.IntentMinConfidence ?? _settings.IntentMinConfidence,
                EscalationEnabled = change.EscalationEnabled ?? _settings.EscalationEnabled,
                SpeechEvents = change.SpeechEvents ?? _settings.SpeechEvents,
            };
        }
        Changed?.Invoke();
    }
}

/// <summary>The infotainment playback state (<c>playing</c>, <c>paused</c>, <c>stopped</c>), its source and volume 0..1.</summary>
public sealed record PlaybackState(string State, string? Source, double? Volume);

/// <summary>The runtime settings control/config may change (the whitelist); null means "as configured".</summary>
public sealed record RuntimeSettings
{
    public double? WakeSensitivity { get; init; }

    public double? IntentMinConfidence { get; init; }

    public bool? EscalationEnabled { get; init; }

    public bool? SpeechEvents { get; init; }
}
