namespace StepAudio.Automotive.Vision;

/// <summary>
/// Whether a seat's occupant is speaking, from their lips over a short window (<see cref="Window"/>, 0.4 s by
/// default): speech opens and closes the mouth several times a second, so the spread (standard deviation) of
/// the mouth opening over the window rises, while a still, smiling or yawning mouth keeps it low. The
/// opening is measured in the head's own frame in inter-ocular distances (<see cref="LipFeatureExtractor"/>),
/// so head sway and distance do not move it, and landmark geometry does not follow IR exposure. (The lips'
/// overall motion energy was tried as a second cue and separated speech from silence less well: on gray,
/// noisy frames it is dominated by landmark jitter.) Each seat learns its own floor — faces and distances
/// jitter differently — as a minimum that rises only slowly, so speech is judged against that occupant's
/// own stillness. The probability describes the window's centre, known <see cref="Latency"/> (half a window)
/// after that frame.
/// </summary>
public sealed class VisualSpeechDetector
{
    private readonly double[] _times;
    private readonly double[] _openings;
    private int _count;
    private int _head;
    private double _floor = double.NaN;
    private double _lastTime = double.NaN;

    /// <param name="window">Seconds of lip history per decision (0.3–0.5 s).</param>
    /// <param name="maxFrameRate">Largest frame rate the buffers are sized for.</param>
    public VisualSpeechDetector(double window = 0.4, double maxFrameRate = 120)
    {
        if (window is < 0.1 or > 2) throw new ArgumentOutOfRangeException(nameof(window), window, "0.1..2 s");
        Window = window;
        var capacity = (int)Math.Ceiling(window * maxFrameRate) + 2;
        _times = new double[capacity];
        _openings = new double[capacity];
    }

    public double Window { get; }

    public double Latency => Window / 2;

    /// <summary>Opening spread (inter-ocular distances) above the learned floor at which the probability is one half.</summary>
    public double Threshold { get; init; } = 0.0135;

    /// <summary>How fast the floor may rise, in spread units per second (it falls at once).</summary>
    public double FloorRise { get; init; } = 0.001;

    /// <summary>The probability of speech at <see cref="DecisionTime"/>; NaN while there is no full window with a face.</summary>
    public double Probability { get; private set; } = double.NaN;

    /// <summary>The frame time the current <see cref="Probability"/> describes (the window's centre).</summary>
    public double DecisionTime { get; private set; } = double.NaN;

    /// <summary>The window's spread of mouth opening.</summary>
    public double Activity { get; private set; }

    /// <summary>Adds one frame's lip features (null when no face was found) at stream time <paramref name="time"/>.</summary>
    public void Add(double time, LipFeatures? lips)
    {
        var dt = double.IsNaN(_lastTime) ? 0 : time - _lastTime;
        _lastTime = time;
        DecisionTime = time - Latency;
        if (lips is not { } f)
        {
            // No face: no evidence either way; forget the window so stale lips do not speak for it.
            _count = 0;
            Probability = double.NaN;
            return;
        }
        if (_count == _times.Length)
        {
            _head = (_head + 1) % _times.Length;
            _count--;
        }
        var slot = (_head + _count) % _times.Length;
        _times[slot] = time;
        _openings[slot] = f.MouthOpening;
        _count++;
        while (_count > 1 && _times[_head] < time - Window + 1e-9)
        {
            _head = (_head + 1) % _times.Length;
            _count--;
        }
        Activity = Spread();
        if (_count < 2 || time - _times[_head] < Window * 0.8)
        {
            Probability = double.NaN; // the window is not full yet
            return;
        }
        if (double.IsNaN(_floor) || Activity < _floor) _floor = Activity;
        else _floor += Math.Min(Activity - _floor, FloorRise * dt);
        Probability = 1 / (1 + Math.Exp(-(Activity - _floor - Threshold) / (Threshold / 4)));
    }

    /// <summary>Forget everything (a different occupant, the camera came back).</summary>
    public void Reset()
    {
        _count = 0;
        _floor = double.NaN;
        _lastTime = double.NaN;
        Probability = double.NaN;
    }

    private double Spread()
    {
        double sum = 0, sum2 = 0;
        for (var i = 0; i < _count; i++)
        {
            var v = _openings[(_head + i) % _openings.Length];
            sum += v;
            sum2 += v * v;
        }
        var mean = sum / _count;
        return Math.Sqrt(Math.Max(0, (sum2 / _count) - (mean * mean)));
    }
}
