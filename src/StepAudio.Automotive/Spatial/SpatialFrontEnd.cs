using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// The spatial stage for one hop at a time: STFT of every microphone → SRP-PHAT map → near-field
/// zone evidence → zone tracker (speech events) → one beam per zone, resynthesised to audio. Beam
/// audio for the speech stage is in <see cref="BeamOutput"/> after each <see cref="Process"/>,
/// delayed by <see cref="Stft.Latency"/> samples. Allocates nothing per hop.
/// </summary>
public sealed class SpatialFrontEnd
{
    /// <summary>Directions of a zone's talker are searched this far around the seat's direction.</summary>
    private const double SeatSearchDeg = 35;

    private readonly CabinProfile _profile;
    private readonly StftAnalyzer[] _analyzers;
    private readonly StftSynthesizer[] _synthesizers;
    private readonly float[][] _re;
    private readonly float[][] _im;
    private readonly float[][] _beamInRe; // the spectra the beams are made from: echo-cancelled when there are references
    private readonly float[][] _beamInIm;
    private readonly StftAnalyzer[] _referenceAnalyzers = [];
    private readonly float[][] _refRe = [];
    private readonly float[][] _refIm = [];
    private readonly float[] _beamRe;
    private readonly float[] _beamIm;
    private readonly float[][] _beams;
    private readonly StftSynthesizer[] _echoSynthesizers = []; // with references: the beams made from the microphones' own spectra
    private readonly float[][] _echoBeams;
    private readonly bool[] _usable;
    private readonly Point3[] _zoneDirections;
    private readonly Point3[] _measured;
    private readonly SearchRegion[] _seatRegions;
    private long _frames;
    private readonly float[] _directionWeights;

    public SpatialFrontEnd(CabinProfile profile, IEventSink sink, SpatialOptions? options = null)
    {
        options ??= new SpatialOptions();
        _profile = profile;
        Options = options;
        Stft = new Stft(512, 160);
        Geometry = new ArrayGeometry(profile);
        Warnings = Geometry.Check(options.BandHighHz);
        var fs = profile.SampleRate;
        Localizer = new SrpPhatLocalizer(Geometry, Stft.FrameLength, fs, options.BandLowHz, options.BandHighHz);
        var reflections = options.ReflectionOrder > 0 && profile.Interior is { } interior ? new CabinReflections(interior, options.ReflectionOrder) : null;
        ZoneMap = new ZoneMap(Geometry, Localizer, Stft.FrameLength, fs, options.BandLowHz, options.BandHighHz, reflections)
        {
            MinBinSnr = (float)Math.Pow(10, options.MaskSnrDb / 10),
            RelativePower = (float)options.RelativePower,
            OnsetRatio = options.OnsetDb > 0 ? (float)Math.Pow(10, options.OnsetDb / 10) : 0f,
            ResidualCoherence = (float)options.ResidualCoherence,
            MinResidualPower = (float)options.MinResidualPower,
            LoudspeakerMargin = (float)options.LoudspeakerMargin,
            AccumulationFrames = (float)(options.AccumulateSeconds * fs / Stft.Hop),
        };
        Tracker = new ZoneTracker(profile, sink) { RelativeOn = (float)options.TrackerRelativeOn, OnFrames = options.TrackerOnFrames, MaxTalkers = options.TrackerMaxTalkers, SecondOnFrames = options.TrackerSecondOnFrames, DistinctShare = (float)options.TrackerDistinctShare, ReleaseFrames = (int)Math.Round(options.TrackerReleaseSeconds * fs / Stft.Hop) };
        Beamformer = options.Beamformer == BeamformerKind.Mvdr
            ? new MvdrBeamformer(Geometry, Stft, fs)
            : new DelayAndSumBeamformer(Geometry, Stft, fs);
        var mics = profile.Mics.Count;
        var zones = profile.Zones.Count;
        _analyzers = new StftAnalyzer[mics];
        _re = new float[mics][];
        _im = new float[mics][];
        for (var m = 0; m < mics; m++)
        {
            _analyzers[m] = new StftAnalyzer(Stft);
            _re[m] = new float[Stft.Bins];
            _im[m] = new float[Stft.Bins];
        }
        _synthesizers = new StftSynthesizer[zones];
        _beams = new float[zones][];
        for (var z = 0; z < zones; z++)
        {
            _synthesizers[z] = new StftSynthesizer(Stft);
            _beams[z] = new float[Stft.Hop];
        }
        _beamInRe = _re;
        _beamInIm = _im;
        _echoBeams = _beams;
        if (options.EchoReferences > 0)
        {
            _echoSynthesizers = [.. Enumerable.Range(0, zones).Select(_ => new StftSynthesizer(Stft))];
            _echoBeams = [.. Enumerable.Range(0, zones).Select(_ => new float[Stft.Hop])];
            _beamInRe = [.. Enumerable.Range(0, mics).Select(_ => new float[Stft.Bins])];
            _beamInIm = [.. Enumerable.Range(0, mics).Select(_ => new float[Stft.Bins])];
            Echo = new EchoCanceller(mics, options.EchoReferences, Stft.Bins);
            _referenceAnalyzers = new StftAnalyzer[options.EchoReferences];
            _refRe = new float[options.EchoReferences][];
            _refIm = new float[options.EchoReferences][];
            for (var r = 0; r < options.EchoReferences; r++)
            {
                _referenceAnalyzers[r] = new StftAnalyzer(Stft);
                _refRe[r] = new float[Stft.Bins];
                _refIm[r] = new float[Stft.Bins];
            }
        }
        _beamRe = new float[Stft.Bins];
        _beamIm = new float[Stft.Bins];
        _usable = new bool[mics];
        Array.Fill(_usable, true);
        _zoneDirections = [.. profile.Zones.Select(z => z.Position - Geometry.Centre)];
        _measured = new Point3[zones];
        _directionWeights = new float[zones];
        _seatRegions = [.. _zoneDirections.Select(d => Localizer.Region(d, SeatSearchDeg))];
    }

    public SpatialOptions Options { get; }

    public Stft Stft { get; }

    public ArrayGeometry Geometry { get; }

    /// <summary>What this geometry cannot do, found at start; the pipeline puts them in its status events.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public SrpPhatLocalizer Localizer { get; }

    public ZoneMap ZoneMap { get; }

    public ZoneTracker Tracker { get; }

    public ZoneBeamformer Beamformer { get; }

    /// <summary>Removes what the loudspeakers play from the microphones, when the capture carries their feeds (<see cref="SpatialOptions.EchoReferences"/>); else null.</summary>
    public EchoCanceller? Echo { get; }

    /// <summary>The spectra the beams were made from in the last frame: the microphones' with the loudspeakers' echo removed when there are references.</summary>
    internal float[][] BeamInputRe => _beamInRe;

    internal float[][] BeamInputIm => _beamInIm;

    /// <summary>Microphone spectra of the last frame (bins 0..N/2), per microphone.</summary>
    public float[][] SpectraRe => _re;

    public float[][] SpectraIm => _im;

    /// <summary>The last hop of a zone's beam audio (160 samples), delayed by <see cref="Stft.Latency"/>.</summary>
    public ReadOnlySpan<float> BeamOutput(int zone) => _beams[zone];

    /// <summary>
    /// The same beam made from the microphones' own spectra, the loudspeakers' echo still in it (the same as
    /// <see cref="BeamOutput"/> without references). For the emotion stage, whose prosody baselines and
    /// thresholds were set on beams with the radio in them: on the cancelled beams, HIL calm seed 14 (30 min
    /// with the feeds) gave 6 false sustained-agitation escalations, 4 of them under 3 s after a door speaker
    /// started while that seat talked; on these, none, as without the feeds.
    /// </summary>
    public ReadOnlySpan<float> BeamOutputWithEcho(int zone) => _echoBeams[zone];

    /// <summary>The direction measured for a zone in the last frame, unit vector from the array centre.</summary>
    public Point3 MeasuredDirection(int zone) => _measured[zone];

    /// <summary>
    /// Processes one hop of planar audio (<see cref="Stft.Hop"/> samples per microphone).
    /// <paramref name="usable"/> says which microphones may be used (dead or clipping ones may not);
    /// <paramref name="references"/> are the loudspeakers' feeds of the same hop (<see cref="SpatialOptions.EchoReferences"/> of them).
    /// </summary>
    public void Process(float[][] planar, ReadOnlySpan<bool> usable, float[][]? references = null)
    {
        if (!usable.SequenceEqual(_usable))
        {
            usable.CopyTo(_usable);
            Localizer.SetUsableMics(_usable);
            Beamformer.SetUsableMics(_usable);
        }
        for (var m = 0; m < _analyzers.Length; m++) _analyzers[m].Push(planar[m], _re[m], _im[m]);
        if (Echo is not null)
        {
            if (references is null || references.Length != _referenceAnalyzers.Length)
                throw new ArgumentException($"expected {_referenceAnalyzers.Length} loudspeaker reference channels", nameof(references));
            for (var r = 0; r < _referenceAnalyzers.Length; r++) _referenceAnalyzers[r].Push(references[r], _refRe[r], _refIm[r]);
        }
        _frames++;
        var fs = (double)_profile.SampleRate;
        var streamTime = _frames * Stft.Hop / fs;
        var frameTime = Math.Max(0, streamTime - (Stft.FrameLength / 2 / fs));

        if (Echo is not null)
        {
            // The beams get the microphones with the loudspeakers' echo removed. Localization keeps their own
            // spectra, where the radio is still a loudspeaker the zone map recognises and sets aside; a partly
            // cancelled echo no longer looks like one and reads as a seat (HIL seed 21: wake recall 75.0 → 70.8 %;
            // with the echo-share cap, seeds 21 + 22: 26 intents of 48 against 27 here, 34 wake words either way).
            for (var m = 0; m < _re.Length; m++)
            {
                _re[m].CopyTo(_beamInRe[m], 0);
                _im[m].CopyTo(_beamInIm[m], 0);
            }
            Echo.Process(_beamInRe, _beamInIm, _refRe, _refIm);
        }
        ZoneMap.Observe(_re, _im, _usable);
        Localizer.Process(_re, _im, ZoneMap.Mask);
        ZoneMap.Score();
        var smoothed = Tracker.Smoothed;
        for (var z = 0; z < _measured.Length; z++)
        {
            // Only zones with some evidence need a direction; the others keep their seat direction.
            if (ZoneMap.Evidence[z] > 0 || smoothed[z] > 0)
            {
                var d = Localizer.PeakIn(_seatRegions[z]);
                _measured[z] = d >= 0 ? Localizer.Direction(d) : _zoneDirections[z];
                // The event's direction is weighted by the peak's height to the 8th power: a frame whose SRP-PHAT
                // peak is high is dominated by the direct sound, while a side window's reflection lowers the
                // peak and pulls it toward the window (console, seeds 3-14: median error 5.3° weighted by
                // evidence, 4.4° by peak^4, 3.5-3.8° by peak^8).
                var peak = d >= 0 ? Math.Max(0, Localizer.Power[d]) : 0f;
                var p2 = peak * peak;
                var p4 = p2 * p2;
                _directionWeights[z] = p4 * p4;
            }
            else
            {
                _measured[z] = _zoneDirections[z];
            }
        }
        Tracker.Update(ZoneMap.Evidence, _measured, frameTime, streamTime, ZoneMap.Holding, ZoneMap.Distinct, _directionWeights);

        Beamformer.Update(_beamInRe, _beamInIm, Tracker.Active);
        for (var z = 0; z < _synthesizers.Length; z++)
        {
            Beamformer.Beam(z, _beamInRe, _beamInIm, _beamRe, _beamIm);
            _synthesizers[z].Pop(_beamRe, _beamIm, _beams[z]);
            if (_echoSynthesizers.Length == 0) continue;
            Beamformer.Beam(z, _re, _im, _beamRe, _beamIm);
            _echoSynthesizers[z].Pop(_beamRe, _beamIm, _echoBeams[z]);
        }
    }

    /// <summary>End of input: closes open zones with end events.</summary>
    public void Finish() => Tracker.Finish(_frames * Stft.Hop / (double)_profile.SampleRate);
}
