using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// Decides which seats are talking from the zone map's per-frame evidence: smooths it over time,
/// turns a zone on when its share is high both absolutely and next to the strongest candidate,
/// holds it through short pauses, allows up to <see cref="MaxTalkers"/> at once, and publishes a
/// <see cref="SpeechEvent"/> at each start and end with the direction measured while it talked.
/// Evidence won by a loudspeaker position is radio: it never opens a zone, and
/// <see cref="RadioActive"/> says it is playing.
/// </summary>
public sealed class ZoneTracker
{
    private readonly CabinProfile _profile;
    private readonly IEventSink _sink;
    private readonly float[] _smoothed;
    private readonly bool[] _active;
    private readonly double[] _runStart;
    private readonly double[] _lastAbove;
    private readonly int[] _framesAbove;
    private readonly int[] _framesBelow;
    private readonly int[] _scoredFrames;
    private readonly int[] _distinctFrames;
    private readonly int[] _sinceOwn;
    private readonly double[] _lastOwn;
    private readonly Point3[] _directionSum;
    private readonly double[] _directionWeight;

    public ZoneTracker(CabinProfile profile, IEventSink sink)
    {
        _profile = profile;
        _sink = sink;
        var candidates = profile.Zones.Count + profile.Loudspeakers.Count;
        _smoothed = new float[candidates];
        var zones = profile.Zones.Count;
        _active = new bool[zones];
        _runStart = new double[zones];
        _lastAbove = new double[zones];
        _framesAbove = new int[zones];
        _framesBelow = new int[zones];
        _scoredFrames = new int[zones];
        _distinctFrames = new int[zones];
        _sinceOwn = new int[zones];
        _lastOwn = new double[zones];
        _directionSum = new Point3[zones];
        _directionWeight = new double[zones];
    }

    /// <summary>Weight of the past in the exponential smoothing of evidence, per 10 ms frame.</summary>
    public float Smoothing { get; init; } = 0.85f;

    /// <summary>Smoothed evidence (steered power) a zone must reach to open.</summary>
    public float OnThreshold { get; init; } = 0.1f;

    /// <summary>Below this smoothed evidence a zone counts as silent (and above it, as possibly starting).</summary>
    public float OffThreshold { get; init; } = 0.05f;

    /// <summary>A zone opens only with at least this fraction of the strongest candidate's evidence.</summary>
    public float RelativeOn { get; init; } = 0.6f;

    /// <summary>Frames above <see cref="OnThreshold"/> before a zone opens.</summary>
    public int OnFrames { get; init; } = 15;

    /// <summary>Frames below <see cref="OffThreshold"/> before an open zone closes (pauses between words).</summary>
    public int HangoverFrames { get; init; } = 40;

    /// <summary>
    /// Frames above threshold before a zone opens while another is already open. A second talker has
    /// fewer frames of its own (the first masks it); 8 found more of them on the simulated cabins but
    /// opened empty seats about twice as often, so the default equals <see cref="OnFrames"/>.
    /// </summary>
    public int SecondOnFrames { get; init; } = 15;

    /// <summary>
    /// Most zones open at once. Every seat by default: with a limit of two, a ghost seat beside the first
    /// talker (or one the radio opened) took the place the second talker needed.
    /// </summary>
    public int MaxTalkers { get; init; } = 4;

    /// <summary>
    /// Share of a zone's frames above the opening thresholds (since its smoothed evidence last fell below
    /// <see cref="OffThreshold"/>; held frames, which carry no evidence, do not count) in which the zone
    /// map found the seat on its own (<see cref="ZoneMap.Distinct"/>: it won the frame, or the
    /// second-source search found it) that the zone needs to open. A ghost seat in front of or behind a
    /// talker gets most of its evidence by coming close to the talker's seat and rarely wins; a talker
    /// wins most frames, and a second talker is found by the second-source search. 0: no check.
    /// </summary>
    public float DistinctShare { get; init; }

    /// <summary>
    /// An open zone closes when, since its last own frame, this many frames gave another seat its own evidence and it none
    /// (<see cref="ZoneMap.Distinct"/>); its speech ends at its last own frame. A ghost seat held open by
    /// evidence it only shares with the talker goes; 0: never.
    /// </summary>
    public int ReleaseFrames { get; init; }

    public bool IsActive(int zone) => _active[zone];

    /// <summary>Frame time at which the zone's current (or last) run of talk began.</summary>
    public double TalkingSince(int zone) => _runStart[zone];

    public ReadOnlySpan<bool> Active => _active;

    /// <summary>Smoothed evidence per candidate (zones, then loudspeakers).</summary>
    public ReadOnlySpan<float> Smoothed => _smoothed;

    /// <summary>A loudspeaker position is winning evidence: the radio (or phone audio) is playing.</summary>
    public bool RadioActive { get; private set; }

    /// <summary>
    /// Takes one frame's evidence (zones then loudspeakers) and, per zone, the direction measured in
    /// this frame (a unit vector from the array centre). Publishes start and end events.
    /// </summary>
    /// <param name="frameTime">Stream time the frame's evidence belongs to (its centre).</param>
    /// <param name="streamTime">Stream time consumed so far, for the events.</param>
    /// <param name="hold">The frame carries sound but nothing to localise: keep the smoothed evidence as it is.</param>
    /// <param name="distinct">Per zone, whether this frame's evidence is the seat's own (<see cref="ZoneMap.Distinct"/>); empty: all are.</param>
    /// <param name="directionWeights">Per zone, how much this frame's direction counts in the event's (frames with evidence only); empty: the evidence.</param>
    public void Update(ReadOnlySpan<float> evidence, ReadOnlySpan<Point3> directions, double frameTime, double streamTime, bool hold = false, ReadOnlySpan<bool> distinct = default, ReadOnlySpan<float> directionWeights = default)
    {
        float strongest = 0;
        for (var c = 0; c < _smoothed.Length; c++)
        {
            if (!hold) _smoothed[c] = (Smoothing * _smoothed[c]) + ((1 - Smoothing) * evidence[c]);
            strongest = Math.Max(strongest, _smoothed[c]);
        }
        var zones = _active.Length;
        RadioActive = false;
        for (var c = zones; c < _smoothed.Length; c++)
            if (_smoothed[c] >= OnThreshold && _smoothed[c] >= RelativeOn * strongest) RadioActive = true;

        var activeCount = 0;
        for (var z = 0; z < zones; z++) if (_active[z]) activeCount++;
        var anyOwn = false;
        if (!distinct.IsEmpty)
            for (var z = 0; z < zones; z++) anyOwn |= distinct[z] && evidence[z] > 0;

        for (var z = 0; z < zones; z++)
        {
            var s = _smoothed[z];
            if (s >= OffThreshold)
            {
                if (_framesAbove[z] == 0 && !_active[z])
                {
                    _runStart[z] = frameTime;
                    _directionSum[z] = default;
                    _directionWeight[z] = 0;
                }
                _lastAbove[z] = frameTime;
                _framesBelow[z] = 0;
                if (evidence[z] > 0)
                {
                    var w = directionWeights.IsEmpty ? evidence[z] : directionWeights[z];
                    _directionSum[z] += directions[z] * w;
                    _directionWeight[z] += w;
                }
            }
            else
            {
                _framesBelow[z]++;
            }

            var above = s >= OnThreshold && s >= RelativeOn * strongest;
            if (above) _framesAbove[z]++;
            else if (s < OffThreshold) _framesAbove[z] = 0;
            if (_framesAbove[z] == 0)
            {
                _scoredFrames[z] = 0;
                _distinctFrames[z] = 0;
            }
            else
            {
                if (above && !hold) _scoredFrames[z]++;
                if (evidence[z] > 0 && (distinct.IsEmpty || distinct[z])) _distinctFrames[z]++;
            }
            var own = _distinctFrames[z] >= DistinctShare * _scoredFrames[z];
            if (_active[z] && anyOwn)
            {
                if (evidence[z] > 0 && distinct[z])
                {
                    _sinceOwn[z] = 0;
                    _lastOwn[z] = frameTime;
                }
                else
                {
                    _sinceOwn[z]++;
                }
            }

            if (!_active[z] && own && _framesAbove[z] >= (activeCount > 0 ? SecondOnFrames : OnFrames) && activeCount < MaxTalkers)
            {
                _active[z] = true;
                activeCount++;
                _sinceOwn[z] = 0;
                _lastOwn[z] = frameTime;
                Publish(z, null, streamTime);
            }
            else if (_active[z] && ReleaseFrames > 0 && _sinceOwn[z] >= ReleaseFrames)
            {
                Close(z, _lastOwn[z], streamTime);
                activeCount--;
            }
            else if (_active[z] && _framesBelow[z] >= HangoverFrames)
            {
                Close(z, _lastAbove[z], streamTime);
                activeCount--;
            }
        }
    }

    private void Close(int z, double end, double streamTime)
    {
        _active[z] = false;
        _framesAbove[z] = 0;
        _scoredFrames[z] = 0;
        _distinctFrames[z] = 0;
        Publish(z, end, streamTime);
    }

    /// <summary>Closes every open zone at the end of the input.</summary>
    public void Finish(double streamTime)
    {
        for (var z = 0; z < _active.Length; z++)
        {
            if (!_active[z]) continue;
            _active[z] = false;
            Publish(z, _lastAbove[z], streamTime);
        }
    }

    private void Publish(int zone, double? end, double streamTime)
    {
        var (az, el) = _directionWeight[zone] > 0
            ? (_directionSum[zone].AzimuthDeg, _directionSum[zone].ElevationDeg)
            : ((_profile.Zones[zone].Position - _profile.ArrayCentre).AzimuthDeg, (_profile.Zones[zone].Position - _profile.ArrayCentre).ElevationDeg);
        _sink.Publish(new SpeechEvent(
            _profile.Zones[zone].Name,
            CabinEvent.Round(Math.Max(0, _runStart[zone])),
            end is null ? null : CabinEvent.Round(end.Value),
            Math.Round(az, 1),
            Math.Round(el, 1),
            CabinEvent.Round(streamTime)));
    }
}
