namespace StepAudio.Automotive.Emotion;

/// <summary>
/// Voice prosody of one zone's talker, hop by hop (160 samples at 16 kHz): pitch (YIN), pitch
/// range, loudness, spectral tilt, syllable rate and pause ratio over a sliding window, and from
/// their deviation from this talker's own running baseline an arousal and an agitation score. A
/// naturally loud or high voice is the baseline, not "angry". Nothing is allocated per hop.
/// </summary>
public sealed class ProsodyAnalyzer
{
    // Feature scales: one unit of deviation is a clearly audible change for that feature.
    private const double LoudnessScaleDb = 6;
    private const double PitchScaleSt = 2;
    private const double RangeScaleSt = 1.5;
    private const double TiltScaleDb = 3;
    private const double RateScale = 1.5;
    private const double PauseScale = 0.15;
    private const double MaxCueUnits = 2;

    /// <summary>A syllable nucleus is a voiced level peak this far above the dips on both sides.</summary>
    private const double NucleusDipDb = 2;

    /// <summary>Nuclei closer than this (10 ms hops) are one syllable split by a voicing dropout.</summary>
    private const int MinNucleusGap = 10;

    private readonly ProsodyOptions _options;
    private readonly PitchTracker _pitch = new();
    private readonly Frame[] _ring;
    private readonly int _recentFrames;
    private readonly double _baselineAlpha;
    private readonly int _baselineFrames;
    private int _head;
    private int _count;

    // Running sums over the ring (the window).
    private int _speech;
    private int _voiced;
    private int _nuclei;
    private double _sumPower;
    // Pitch of the window's voiced frames as a histogram (semitones above 100 Hz): median and
    // quartiles, not mean and deviation, so octave errors and stray frames of another voice in road
    // noise do not move the talker's pitch.
    private const double PitchBinLowSt = -12;
    private const double PitchBinSt = 0.25;
    private readonly int[] _pitchBins = new int[(int)((36 - PitchBinLowSt) / PitchBinSt)];
    private double _sumTilt;
    private int _recentSpeech;

    private double _floorDb = double.NaN;
    private double _smoothDb = -120;
    private double _lastDipDb = -120;
    private double _peakDb = -120;
    private bool _peakVoiced;
    private bool _rising;
    private int _sinceNucleus;

    private Baseline _baseline;
    private int _baselineCount;

    public ProsodyAnalyzer(ProsodyOptions? options = null)
    {
        _options = options ?? new ProsodyOptions();
        _options.Validate();
        _ring = new Frame[(int)Math.Round(_options.WindowSeconds * 100)];
        _recentFrames = Math.Min(100, _ring.Length);
        _baselineFrames = (int)Math.Round(_options.BaselineSpeechSeconds * 100);
        _baselineAlpha = 0.01 / _options.BaselineTimeConstantSeconds;
    }

    public static int Hop => PitchTracker.Hop;

    /// <summary>Pitch of the newest hop (Hz, 0 when unvoiced).</summary>
    public double PitchHz => _pitch.Frequency;

    public ProsodyFeatures Features { get; private set; }

    public VoiceEmotion Emotion { get; private set; }

    /// <summary>The talker's baseline has been learned (enough speech heard).</summary>
    public bool BaselineReady => _baselineCount >= _baselineFrames;

    /// <summary>Feeds one hop of 160 samples and updates <see cref="Features"/> and <see cref="Emotion"/>.</summary>
    public void Process(ReadOnlySpan<float> hop)
    {
        _pitch.Process(hop);

        double energy = 0, diffEnergy = 0;
        var prev = hop[0];
        for (var i = 0; i < hop.Length; i++)
        {
            var s = hop[i];
            energy += s * s;
            var d = s - prev;
            diffEnergy += d * d;
            prev = s;
        }
        var db = 10 * Math.Log10(energy / hop.Length + 1e-12);
        var tilt = 10 * Math.Log10((diffEnergy + 1e-12) / (energy + 1e-12));

        // Noise floor: follows dips at once, rises 0.5 dB/s, never below -90 dBFS (digital silence).
        _floorDb = double.IsNaN(_floorDb) ? db : Math.Max(-90, db < _floorDb ? db : _floorDb + 0.005);
        var isSpeech = db > _floorDb + _options.SpeechOverFloorDb && db > _options.SilenceDb;
        var voiced = isSpeech && _pitch.Voiced;
        var st = voiced ? 12 * Math.Log2(_pitch.Frequency / 100) : 0;
        var nucleus = DetectNucleus(db, isSpeech, voiced);

        Push(new Frame(isSpeech, voiced, nucleus, db, st, tilt));
        Features = Measure();
        Emotion = Score(Features);
    }

    public void Reset()
    {
        ClearWindow();
        _floorDb = double.NaN;
        _baseline = default;
        _baselineCount = 0;
        Features = default;
        Emotion = default;
    }

    /// <summary>Forgets the window (and the pitch and syllable trackers' state), keeping the noise floor and the baseline.</summary>
    private void ClearWindow()
    {
        _pitch.Reset();
        Array.Clear(_ring);
        _head = _count = _speech = _voiced = _nuclei = _recentSpeech = 0;
        _sumPower = _sumTilt = 0;
        Array.Clear(_pitchBins);
        _smoothDb = _lastDipDb = _peakDb = -120;
        _peakVoiced = _rising = false;
        _sinceNucleus = 0;
    }

    /// <summary>Peaks of the smoothed level with a dip of 3 dB on both sides, voiced at the top (de Jong and Wempe 2009, simplified).</summary>
    private bool DetectNucleus(double db, bool isSpeech, bool voiced)
    {
        _sinceNucleus++;
        // Unvoiced frames count as floor: consonants then separate the vowels.
        _smoothDb = 0.5 * _smoothDb + 0.5 * (voiced ? db : _floorDb);
        if (_rising)
        {
            if (_smoothDb > _peakDb)
            {
                _peakDb = _smoothDb;
                _peakVoiced = voiced;
            }
            else if (_smoothDb < _peakDb - NucleusDipDb)
            {
                var found = _peakVoiced && _peakDb > _lastDipDb + NucleusDipDb && _sinceNucleus >= MinNucleusGap;
                if (found) _sinceNucleus = 0;
                _rising = false;
                _lastDipDb = _smoothDb;
                return found;
            }
        }
        else if (_smoothDb < _lastDipDb)
        {
            _lastDipDb = _smoothDb;
        }
        else if (_smoothDb > _lastDipDb + NucleusDipDb)
        {
            _rising = true;
            _peakDb = _smoothDb;
            _peakVoiced = voiced;
        }
        return false;
    }

    private void Push(in Frame f)
    {
        if (_count == _ring.Length) Remove(_ring[_head]);
        else _count++;
        // The frame leaving the "recent" second.
        if (_count > _recentFrames)
        {
            var old = _ring[(_head - _recentFrames + _ring.Length) % _ring.Length];
            if (old.Speech) _recentSpeech--;
        }
        _ring[_head] = f;
        _head = (_head + 1) % _ring.Length;
        if (f.Speech)
        {
            _speech++;
            _recentSpeech++;
            _sumTilt += f.Tilt;
        }
        if (f.Voiced)
        {
            _voiced++;
            _sumPower += Math.Pow(10, f.Db / 10);
            _pitchBins[PitchBin(f.Semitones)]++;
        }
        if (f.Nucleus) _nuclei++;
    }

    private void Remove(in Frame f)
    {
        if (f.Speech)
        {
            _speech--;
            _sumTilt -= f.Tilt;
        }
        if (f.Voiced)
        {
            _voiced--;
            _sumPower -= Math.Pow(10, f.Db / 10);
            _pitchBins[PitchBin(f.Semitones)]--;
        }
        if (f.Nucleus) _nuclei--;
    }

    private ProsodyFeatures Measure()
    {
        var loud = _voiced > 0 ? 10 * Math.Log10(Math.Max(_sumPower, 1e-12) / _voiced) : -120;
        var pitch = _voiced > 0 ? PitchQuantile(0.5) : 0;
        // The interquartile range over 1.349 is the standard deviation of a normal distribution.
        var range = _voiced > 1 ? (PitchQuantile(0.75) - PitchQuantile(0.25)) / 1.349 : 0;
        var tilt = _speech > 0 ? _sumTilt / _speech : 0;
        var rate = _speech > 0 ? _nuclei / (_speech * 0.01) : 0;
        var pause = 1 - (double)_speech / _count;
        var recent = (double)_recentSpeech / Math.Min(_count, _recentFrames);
        return new ProsodyFeatures(loud, pitch, range, tilt, rate, pause, recent, _speech > 0 ? loud - _floorDb : 0);
    }

    private VoiceEmotion Score(in ProsodyFeatures f)
    {
        // Enough speech in the window to say anything: half a second of it, some voiced.
        var measurable = _speech >= 50 && _voiced >= 20;
        if (!measurable) return new VoiceEmotion(0.5, 0, 0, 0);

        var deviation = BaselineReady ? Deviation(f) : 0;
        UpdateBaseline(f, Math.Abs(deviation) > 1 ? 0.1 : 1);
        if (!BaselineReady) return new VoiceEmotion(0.5, 0, 0, 0);

        var arousal = Logistic(1.5 * deviation);
        // Agitation is several cues at once: half a unit on every one of them is already clearly audible.
        var agitation = Logistic(5 * (deviation - 0.55));
        var snrWeight = Math.Clamp((f.SnrDb - 6) / 15, 0, 1);
        var reliability = Math.Clamp(f.SpeechFraction * 1.5, 0, 1) * snrWeight;
        return new VoiceEmotion(arousal, agitation, deviation, reliability);
    }

    // Loudness and pitch carry most: they survive the beamformer and road noise. Syllable rate is
    // weighted low: in noise its count of nuclei per second of speech even fell for faster, louder TTS
    // (louder speech lifts more frames over the floor), so it must not outvote the rest.
    private double Deviation(in ProsodyFeatures f) =>
        0.35 * Cue((f.LoudnessDb - _baseline.Loudness) / LoudnessScaleDb)
        + 0.25 * Cue((f.PitchSemitones - _baseline.Pitch) / PitchScaleSt)
        + 0.05 * Cue((f.PitchRangeSemitones - _baseline.Range) / RangeScaleSt)
        + 0.15 * Cue((f.TiltDb - _baseline.Tilt) / TiltScaleDb)
        + 0.10 * Cue((f.SyllableRate - _baseline.Rate) / RateScale)
        + 0.10 * Cue((_baseline.Pause - f.PauseRatio) / PauseScale);

    /// <summary>One cue's deviation, bounded: in noise a single cue (syllable rate, pauses) can swing wildly, and must not outvote the others.</summary>
    private static double Cue(double units) => Math.Clamp(units, -MaxCueUnits, MaxCueUnits);

    private void UpdateBaseline(in ProsodyFeatures f, double weight)
    {
        // A plain mean while learning, then a slow average that barely follows a deviating talker.
        _baselineCount++;
        var a = BaselineReady ? _baselineAlpha * weight : 1.0 / _baselineCount;
        _baseline.Loudness += a * (f.LoudnessDb - _baseline.Loudness);
        _baseline.Pitch += a * (f.PitchSemitones - _baseline.Pitch);
        _baseline.Range += a * (f.PitchRangeSemitones - _baseline.Range);
        _baseline.Tilt += a * (f.TiltDb - _baseline.Tilt);
        _baseline.Rate += a * (f.SyllableRate - _baseline.Rate);
        _baseline.Pause += a * (f.PauseRatio - _baseline.Pause);
    }

    private int PitchBin(double semitones) => Math.Clamp((int)((semitones - PitchBinLowSt) / PitchBinSt), 0, _pitchBins.Length - 1);

    /// <summary>The <paramref name="q"/> quantile of the window's voiced pitch, interpolated inside its bin.</summary>
    private double PitchQuantile(double q)
    {
        var target = q * _voiced;
        var below = 0;
        for (var b = 0; b < _pitchBins.Length; b++)
        {
            var n = _pitchBins[b];
            if (n > 0 && below + n >= target) return PitchBinLowSt + ((b + ((target - below) / n)) * PitchBinSt);
            below += n;
        }
        return PitchBinLowSt + (_pitchBins.Length * PitchBinSt);
    }

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private readonly record struct Frame(bool Speech, bool Voiced, bool Nucleus, double Db, double Semitones, double Tilt);

    private struct Baseline
    {
        public double Loudness;
        public double Pitch;
        public double Range;
        public double Tilt;
        public double Rate;
        public double Pause;
    }
}
