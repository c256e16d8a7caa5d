using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Emotion;

/// <summary>
/// Emotion and escalation in the pipeline, every 10 ms hop: each zone's beam goes through its own
/// <see cref="ProsodyAnalyzer"/> while the zone tracker hears that seat as the dominant talker, or the seat holds
/// its front/back pair's talk (<see cref="IsPairTalker"/>) (leakage of other talkers into a seat's beam must not
/// become that seat's voice), the estimate is fused per
/// seat (<see cref="SeatEmotionFusion"/>; voice only until the vision stage feeds
/// <see cref="Face"/>, which the weights in every event say), and <see cref="EscalationPolicy"/>
/// decides. Wake words, intents and escalations that other stages publish reach the policy through
/// <see cref="Observe"/> and are taken in at the end of the same hop, so an emergency intent is
/// escalated within that hop, and not a second time if the speech stage escalated it already.
/// Nothing is allocated per hop.
/// </summary>
public sealed class EmotionStage
{
    private readonly string[] _zones;
    private readonly ProsodyAnalyzer[] _prosody;
    private readonly SeatEmotionFusion[] _fusion;
    private readonly List<CabinEvent> _observed = new(16);
    private readonly int[] _partner;
    private readonly float[] _window;
    private readonly float _windowAlpha;

    /// <summary>A stage for these zones without their geometry: no front/back pairs, the tracker's dominant talker only.</summary>
    public EmotionStage(IReadOnlyList<string> zones, EmotionOptions? emotion = null, EscalationOptions? escalation = null)
        : this(zones, [.. zones.Select(_ => -1)], emotion, escalation)
    {
    }

    /// <summary>A stage for the profile's seats, which knows each seat's front/back partner on the same side.</summary>
    public EmotionStage(CabinProfile profile, EmotionOptions? emotion = null, EscalationOptions? escalation = null)
        : this([.. profile.Zones.Select(z => z.Name)], SameSidePartners(profile.Zones), emotion, escalation)
    {
    }

    private EmotionStage(IReadOnlyList<string> zones, int[] partners, EmotionOptions? emotion, EscalationOptions? escalation)
    {
        emotion ??= new EmotionOptions();
        emotion.Validate();
        _zones = [.. zones];
        _prosody = [.. _zones.Select(_ => new ProsodyAnalyzer(emotion.Prosody))];
        _fusion = [.. _zones.Select(z => new SeatEmotionFusion(z))];
        _partner = partners;
        _window = new float[_zones.Length];
        _windowAlpha = (float)(0.01 / PairWindowSeconds);
        Policy = new EscalationPolicy(escalation);
    }

    public EscalationPolicy Policy { get; }

    /// <summary>The zone's prosody analyzer (features and voice estimate of its talker).</summary>
    public ProsodyAnalyzer Prosody(int zone) => _prosody[zone];

    /// <summary>The zone's fused estimate at stream time <paramref name="t"/>.</summary>
    public FusedEmotion Fused(int zone, double t) => _fusion[zone].Fuse(t);

    /// <summary>A face expression for a seat from the vision stage, at stream time <paramref name="t"/>.</summary>
    public void Face(int zone, in FaceExpression face, double t) => _fusion[zone].Face(face, t);

    /// <summary>An event another stage published this hop; wake words, intents and escalations are kept for the policy.</summary>
    public void Observe(CabinEvent e)
    {
        if (e is WakeEvent or IntentEvent or EscalationEvent) _observed.Add(e);
    }

    /// <summary>Runs one hop: call after the spatial front end and the speech stage.</summary>
    public void Process(SpatialFrontEnd spatial, ListeningControl listening, double streamTime, IEventSink sink)
    {
        TakeObserved(sink);
        var tracker = spatial.Tracker;
        var evidence = tracker.Smoothed;
        for (var z = 0; z < _zones.Length; z++) _window[z] += _windowAlpha * (evidence[z] - _window[z]);
        for (var z = 0; z < _zones.Length; z++)
        {
            if (listening.IsMuted(z)) continue;
            var talking = IsAnalysable(tracker.Active, evidence, z) || IsPairTalker(tracker.Active, evidence, _window, _partner, z);
            // The beam with the loudspeakers' echo still in it: what the prosody baselines were set on (see there).
            ProcessZone(z, spatial.BeamOutputWithEcho(z), talking, streamTime, sink);
        }
    }

    /// <summary>
    /// Whether zone <paramref name="zone"/> is the talker of its front/back pair although the tracker does not
    /// hear it as the dominant talker. The console array tells left from right well but front from back poorly:
    /// a quiet talker's evidence is split between its seat and the seat in front of or behind it, so the tracker
    /// often opens neither, or both, for most of the talk (a rear talker at 10 dB SNR was the dominant talker
    /// for 30 % of a 20 s calm lead-in and its baseline was learned from its outburst). Over
    /// <see cref="PairWindowSeconds"/> the seat that holds more of the pair's evidence is the talker: it is
    /// analysed while the localizer hears that side now, no seat off the pair talks, and every seat off the pair
    /// has under half its evidence over the window.
    /// </summary>
    /// <param name="active">The tracker's talking seats.</param>
    /// <param name="evidence">The tracker's smoothed localisation evidence per seat, this hop.</param>
    /// <param name="window">Each seat's evidence averaged over <see cref="PairWindowSeconds"/>.</param>
    /// <param name="partner">Each seat's front/back partner on the same side, -1 for none.</param>
    public static bool IsPairTalker(ReadOnlySpan<bool> active, ReadOnlySpan<float> evidence, ReadOnlySpan<float> window, ReadOnlySpan<int> partner, int zone)
    {
        var pair = partner[zone];
        if (pair < 0 || evidence[zone] < MinDominantEvidence || window[zone] < MinPairWindowEvidence || window[zone] < window[pair]) return false;
        for (var z = 0; z < active.Length; z++)
        {
            if (z == zone || z == pair) continue;
            if (active[z] || window[zone] < DominanceRatio * window[z]) return false;
        }
        return true;
    }

    /// <summary>
    /// Each seat's front/back partner: the nearest seat on the same side (left/right) of the cabin at least
    /// <see cref="MinRowSeparation"/> m ahead of or behind it; -1 for none.
    /// </summary>
    public static int[] SameSidePartners(IReadOnlyList<CabinZone> zones)
    {
        var partners = new int[zones.Count];
        for (var z = 0; z < zones.Count; z++)
        {
            partners[z] = -1;
            var p = zones[z].Position;
            var best = double.MaxValue;
            for (var o = 0; o < zones.Count; o++)
            {
                var q = zones[o].Position;
                if (o == z || Math.Abs(p.Y) < MinSideOffset || Math.Abs(q.Y) < MinSideOffset || Math.Sign(p.Y) != Math.Sign(q.Y)) continue;
                if (Math.Abs(p.X - q.X) < MinRowSeparation) continue;
                var distance = Math.Abs(p.X - q.X) + Math.Abs(p.Y - q.Y);
                if (distance < best)
                {
                    best = distance;
                    partners[z] = o;
                }
            }
        }
        return partners;
    }

    /// <summary>Time constant of the evidence average that decides a front/back pair's talker.</summary>
    public const double PairWindowSeconds = 3;

    /// <summary>Window evidence below this is too faint to give a pair's talk to a seat.</summary>
    private const float MinPairWindowEvidence = 0.04f;

    /// <summary>Seats closer to the centre line than this (m) are on neither side.</summary>
    private const double MinSideOffset = 0.1;

    /// <summary>Seats in the same row (closer than this front to back, m) are not a front/back pair.</summary>
    private const double MinRowSeparation = 0.4;

    /// <summary>
    /// Whether zone <paramref name="zone"/>'s beam carries its own talker alone enough to analyse:
    /// the tracker hears that seat talking and no other, or every other seat it hears has less than
    /// half of this seat's localisation evidence. While two seats really talk at once each beam
    /// carries the other talker too (about 12 dB down with MVDR), enough for the pitch tracker to
    /// follow the wrong voice; but a single talker often also opens a weak ghost seat on the same
    /// side (front/back is the console array's weak axis), and gating on that starved the talker's
    /// baseline for tens of seconds.
    /// </summary>
    /// <param name="active">The tracker's talking seats.</param>
    /// <param name="evidence">The tracker's smoothed localisation evidence per seat (loudspeakers may follow).</param>
    public static bool IsAnalysable(ReadOnlySpan<bool> active, ReadOnlySpan<float> evidence, int zone)
    {
        if (!active[zone]) return false;
        var alone = true;
        float other = 0;
        for (var z = 0; z < active.Length; z++)
        {
            if (z == zone || !active[z]) continue;
            alone = false;
            other = Math.Max(other, evidence[z]);
        }
        return alone || (evidence[zone] >= MinDominantEvidence && evidence[zone] >= DominanceRatio * other);
    }

    /// <summary>How much more evidence than any other talking seat makes a seat the dominant talker.</summary>
    public const float DominanceRatio = 2;

    /// <summary>Smoothed evidence below this is too faint to call a seat dominant.</summary>
    private const float MinDominantEvidence = 0.05f;

    /// <summary>One zone's hop: its beam audio (160 samples) and whether the tracker hears that seat talking.</summary>
    public void ProcessZone(int zone, ReadOnlySpan<float> beam, bool talking, double streamTime, IEventSink sink)
    {
        if (talking)
        {
            _prosody[zone].Process(beam);
            _fusion[zone].Voice(_prosody[zone].Emotion, streamTime);
        }
        if (_fusion[zone].Emit(streamTime) is { } emotion) sink.Publish(emotion);
        if (Policy.OnEmotion(_zones[zone], _fusion[zone].Fuse(streamTime), streamTime, talking) is { } escalation) sink.Publish(escalation);
    }

    private bool EscalatedThisHop(string zone)
    {
        foreach (var e in _observed)
            if (e is EscalationEvent escalation && escalation.Zone == zone) return true;
        return false;
    }

    private void TakeObserved(IEventSink sink)
    {
        if (_observed.Count == 0) return;
        // Escalations first: one the speech stage published for an intent of this hop holds the policy's own back.
        foreach (var e in _observed)
            if (e is EscalationEvent escalation) Policy.OnEscalation(escalation);
        foreach (var e in _observed)
        {
            var decided = e switch
            {
                WakeEvent wake => Policy.OnWake(wake) ?? Policy.OnKeyword(wake.Zone, wake.Keyword, wake.StreamTime),
                IntentEvent intent => Policy.OnIntent(intent, EscalatedThisHop(intent.Zone)),
                _ => null,
            };
            if (decided is not null) sink.Publish(decided);
        }
        _observed.Clear();
    }
}
