using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Fusion;

/// <summary>
/// Whose mouth was moving: per zone, a short history of the camera's visual speech probability, and the
/// decision that combines it with the microphones' zone evidence when a wake word fires. Audio picks a
/// seat by where the keyword was heard and how strongly each zone's direction was lit; vision by whose
/// lips moved over the keyword. Each counts by its reliability (vision: the share of the window the
/// seat's face was seen). Speech that no visible mouth produced (the radio, a phone call) while the
/// camera sees every occupied seat is rejected. Without a live camera the audio decides alone.
/// </summary>
public sealed class AudioVisualAttribution
{
    /// <summary>Visual speech probability above which a mouth counts as moving over the keyword.</summary>
    public const double MovingMouth = 0.3;

    private const int Capacity = 256; // > 4 s of decisions at 60 fps
    private readonly bool[] _watched;
    private readonly int[] _zoneOfSeat;
    private readonly double[][] _times;
    private readonly double[][] _probabilities;
    private readonly int[] _head;
    private readonly int[] _count;
    private readonly double[] _seenSince;
    private readonly double _fullSpeech = 0.65;

    /// <param name="zones">The cabin's zones in profile order.</param>
    /// <param name="watched">The zones the camera sees (the vision stage's seats, in its order); the others stay audio-only.</param>
    public AudioVisualAttribution(IReadOnlyList<string> zones, IReadOnlyList<string> watched)
    {
        _watched = [.. zones.Select(watched.Contains)];
        var order = zones.ToList();
        _zoneOfSeat = [.. watched.Select(w => order.IndexOf(w))];
        _times = [.. zones.Select(_ => new double[Capacity])];
        _probabilities = [.. zones.Select(_ => new double[Capacity])];
        _head = new int[zones.Count];
        _count = new int[zones.Count];
        _seenSince = [.. zones.Select(_ => double.NaN)];
    }

    /// <summary>
    /// Seconds a face must have been seen before its lips count: the visual speech detector learns each face's
    /// resting floor, and a track that has just started (landmarks settling) can look like moving lips.
    /// </summary>
    public double WarmUp { get; init; } = 1.5;

    /// <summary>Whether the camera is delivering: false sends every decision back to the audio alone.</summary>
    public bool CameraLive { get; set; }

    /// <summary>
    /// Seconds of visual decisions a wake word is judged on, ending at its detection. Decisions lag 0.2 s and each
    /// spans ±0.2 s, so 0.7 s covers the keyword's last half second: the talker's lips move there, while a
    /// neighbour who was finishing a sentence as the keyword began has stopped.
    /// </summary>
    public double WakeWindow { get; init; } = 0.7;

    /// <summary>
    /// Seconds over which "no mouth moved" is judged before a wake word is rejected: longer than <see cref="WakeWindow"/>,
    /// so a brief twitch of a silent face (landmark jitter as a track settles) does not pass the radio through.
    /// </summary>
    public double RejectWindow { get; init; } = 1.2;

    /// <summary>
    /// Mean visual speech probability over <see cref="WakeWindow"/> (in (<see cref="MovingMouth"/>, 1]) at which a mouth counts
    /// as speaking through the keyword: vision does not rank mouths above it. A neighbour finishing a sentence into the
    /// keyword reads ≈ 1 while the talker, on a face whose wide-open mouth the landmark net under-reads, reads 0.45–0.7;
    /// both moved, so that difference says how well the net reads each face, not who said the keyword, and the audio decides.
    /// </summary>
    public double FullSpeech
    {
        get => _fullSpeech;
        init => _fullSpeech = value is > MovingMouth and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(FullSpeech), value, $"({MovingMouth}, 1]");
    }

    /// <summary>Wake words rejected because no visible mouth moved.</summary>
    public long Rejected { get; private set; }

    /// <summary>Whether <paramref name="zone"/> has a camera region.</summary>
    public bool Sees(int zone) => _watched[zone];

    /// <summary>Takes the vision stage's state after a frame: each seat looked at this frame gives its decision (NaN: no face or no full window).</summary>
    public void Observe(CabinVision vision)
    {
        for (var s = 0; s < vision.Seats.Count; s++)
        {
            var seat = vision.Seats[s];
            if (!seat.Updated || _zoneOfSeat[s] < 0) continue;
            Observe(_zoneOfSeat[s], seat.Speech.DecisionTime, seat.FaceFound ? seat.Speech.Probability : double.NaN);
        }
    }

    /// <summary>One visual speech decision for a watched zone at stream time <paramref name="time"/>; NaN when the face was not seen.</summary>
    public void Observe(int zone, double time, double probability)
    {
        if (!_watched[zone] || double.IsNaN(time)) return;
        if (double.IsNaN(probability)) _seenSince[zone] = double.NaN;
        else if (double.IsNaN(_seenSince[zone])) _seenSince[zone] = time;
        if (time - _seenSince[zone] < WarmUp) probability = double.NaN;
        if (_count[zone] == Capacity)
        {
            _head[zone] = (_head[zone] + 1) % Capacity;
            _count[zone]--;
        }
        var k = (_head[zone] + _count[zone]) % Capacity;
        _times[zone][k] = time;
        _probabilities[zone][k] = probability;
        _count[zone]++;
    }

    /// <summary>Forget the history (the camera was lost and came back).</summary>
    public void Reset()
    {
        Array.Clear(_count);
        Array.Clear(_head);
        Array.Fill(_seenSince, double.NaN);
    }

    /// <summary>
    /// Mean visual speech probability of <paramref name="zone"/> over decision times in [<paramref name="from"/>,
    /// <paramref name="to"/>], and the share of those decisions that saw the face (0 when none were made).
    /// </summary>
    public (double Speech, double Reliability) Window(int zone, double from, double to)
    {
        double sum = 0;
        int seen = 0, all = 0;
        for (var i = 0; i < _count[zone]; i++)
        {
            var k = (_head[zone] + i) % Capacity;
            var t = _times[zone][k];
            if (t < from || t > to) continue;
            all++;
            var p = _probabilities[zone][k];
            if (double.IsNaN(p)) continue;
            seen++;
            sum += p;
        }
        return all == 0 ? (0, 0) : (seen == 0 ? 0 : sum / seen, (double)seen / all);
    }

    /// <summary>
    /// The zone that said a wake word detected at <paramref name="time"/>, or null to reject it. <paramref name="audio"/>
    /// is each zone's acoustic score in [0, 1] (keyword in its beam, localizer activity); <paramref name="audioZone"/>
    /// is what the audio alone would pick.
    /// </summary>
    public int? AttributeWake(ReadOnlySpan<double> audio, int audioZone, double time)
    {
        if (!CameraLive) return audioZone;
        var from = time - WakeWindow;
        int best = -1;
        double bestScore = double.NegativeInfinity;
        var anyMoving = false;
        for (var z = 0; z < audio.Length; z++)
        {
            double score;
            if (!_watched[z])
            {
                score = audio[z]; // no view of this seat: its audio evidence stands alone
            }
            else
            {
                var (speech, reliability) = Window(z, from, time);
                var (longSpeech, longReliability) = Window(z, time - RejectWindow, time);
                if (longReliability > 0.5 && longSpeech >= MovingMouth) anyMoving = true;
                // Vision counts up to twice the audio when the face was seen throughout; lips moving through the
                // keyword (FullSpeech or more) count fully, so two moving mouths leave the choice to the audio.
                var w = 2 * reliability;
                score = (audio[z] + (w * Math.Min(1, speech / _fullSpeech))) / (1 + w);
            }
            if (score > bestScore)
            {
                bestScore = score;
                best = z;
            }
        }
        // A keyword the audio places in a seat the camera watches, with no mouth moving anywhere: not said in the car.
        // (An occupant the camera cannot see, e.g. turned away, is rejected too: the price of rejecting the radio.)
        if (!anyMoving && _watched[audioZone])
        {
            Rejected++;
            return null;
        }
        return best;
    }
}
