using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Vision;

/// <summary>
/// Follows one occupant's face inside their seat's image region. The detector runs on the region when there
/// is no track and every <see cref="RedetectFrames"/> frames; in between, the box follows the landmarks (the
/// landmark net re-centres itself on the face each frame, so a moving head is kept). Of several faces in a
/// region, a face belongs to this seat only if no other seat's region holding it has its centre nearer (in
/// region sizes) — a rear passenger seen through the driver's region stays the rear seat's — and of the rest
/// the largest score × area wins: the seat's own occupant is nearest the camera. While a face is tracked,
/// a re-detection must overlap it; when the detector misses it, the landmarks keep following it, and only
/// after <see cref="MissesBeforeLost"/> misses in a row is the track given up (so one missed detection does
/// not hand the seat to the face behind it).
/// </summary>
public sealed class SeatFaceTracker
{
    private readonly TinyFaceDetector _detector;
    private readonly FaceLandmarker _landmarker;
    private readonly double _scoreThreshold;
    private readonly byte[] _region;
    private readonly List<FaceBox> _faces = [];
    private FaceBox _box;
    private bool _tracking;
    private int _sinceDetect;
    private double _boxToEyes; // box width over inter-ocular distance, when last detected
    private double _offsetX, _offsetY; // box centre minus landmark centre, when last detected
    private int _misses;

    /// <summary>Detector runs in a row that may miss a tracked face before the track is dropped.</summary>
    public const int MissesBeforeLost = 3;

    private readonly SeatRegion[] _others;

    /// <param name="allRegions">Every seat region of the camera, so faces that belong to another seat are left to it.</param>
    public SeatFaceTracker(SeatRegion region, TinyFaceDetector detector, FaceLandmarker landmarker, int redetectFrames = 15, double scoreThreshold = 0.4, IReadOnlyList<SeatRegion>? allRegions = null)
    {
        _others = [.. (allRegions ?? []).Where(r => r != region)];
        ArgumentOutOfRangeException.ThrowIfLessThan(redetectFrames, 1);
        Region = region;
        _detector = detector;
        _landmarker = landmarker;
        RedetectFrames = redetectFrames;
        _scoreThreshold = scoreThreshold;
        _region = new byte[region.Width * region.Height];
    }

    public SeatRegion Region { get; }

    public int RedetectFrames { get; }

    /// <summary>The face box used this frame (valid when <see cref="Track"/> returned true).</summary>
    public FaceBox Box => _box;

    /// <summary>Whether the detector ran this frame.</summary>
    public bool DetectorRan { get; private set; }

    /// <summary>Whether this frame's box came from the detector (its score is then in <see cref="Box"/>).</summary>
    public bool Detected { get; private set; }

    /// <summary>Finds the occupant's face and its landmarks in <paramref name="frame"/>; false when no face is there.</summary>
    public bool Track(VideoFrame frame, FaceLandmarks landmarks)
    {
        Detected = false;
        DetectorRan = false;
        if (!_tracking || _sinceDetect >= RedetectFrames)
        {
            DetectorRan = true;
            _sinceDetect = 0;
            if (Detect(frame, _tracking))
            {
                Detected = true;
                _misses = 0;
            }
            else if (!_tracking || ++_misses >= MissesBeforeLost)
            {
                _tracking = false;
                return false;
            }
        }
        _sinceDetect++;
        if (!_landmarker.Locate(frame.Luma, frame.Width, frame.Height, 1, _box, landmarks))
        {
            _tracking = false;
            return false;
        }
        var (cx, cy) = landmarks.Centre(0, FaceLandmarks.Count);
        var iod = landmarks.InterOcularDistance();
        if (Detected)
        {
            _boxToEyes = _box.Width / Math.Max(iod, 1e-6);
            _offsetX = _box.X + (_box.Width / 2) - cx;
            _offsetY = _box.Y + (_box.Height / 2) - cy;
        }
        else if (Math.Abs((_box.Width / Math.Max(iod, 1e-6)) - _boxToEyes) > 0.35 * _boxToEyes || !Inside(cx, cy))
        {
            // The landmarks no longer describe a face of the tracked size here: look again next frame.
            _tracking = false;
            return false;
        }
        _tracking = true;
        // Next frame's box: same size, re-centred where the landmarks went.
        _box = _box with { X = cx + _offsetX - (_box.Width / 2), Y = cy + _offsetY - (_box.Height / 2) };
        return true;
    }

    /// <summary>Drops the track (e.g. after the camera came back): the next frame detects.</summary>
    public void Reset()
    {
        _tracking = false;
        _misses = 0;
    }

    private bool Owns(double x, double y)
    {
        var own = Distance(Region, x, y);
        foreach (var o in _others)
            if (x >= o.X && x < o.X + o.Width && y >= o.Y && y < o.Y + o.Height && Distance(o, x, y) < own) return false;
        return true;
    }

    private static double Distance(SeatRegion r, double x, double y)
    {
        double dx = (x - r.X - (r.Width / 2.0)) / r.Width, dy = (y - r.Y - (r.Height / 2.0)) / r.Height;
        return (dx * dx) + (dy * dy);
    }

    private bool Inside(double x, double y) => x >= Region.X && x < Region.X + Region.Width && y >= Region.Y && y < Region.Y + Region.Height;

    /// <summary>Runs the detector on the region; when <paramref name="tracking"/>, only a face overlapping the tracked box counts.</summary>
    private bool Detect(VideoFrame frame, bool tracking)
    {
        var r = Region;
        for (var y = 0; y < r.Height; y++)
            frame.Luma.AsSpan(((r.Y + y) * frame.Width) + r.X, r.Width).CopyTo(_region.AsSpan(y * r.Width, r.Width));
        _detector.DetectGray(_region, r.Width, r.Height, _faces, _scoreThreshold);
        var best = -1.0;
        var chosen = default(FaceBox);
        foreach (var f in _faces)
        {
            double cx = f.X + (f.Width / 2), cy = f.Y + (f.Height / 2);
            if (cx < 0 || cy < 0 || cx >= r.Width || cy >= r.Height) continue;
            var inFrame = f with { X = f.X + r.X, Y = f.Y + r.Y };
            if (!Owns(cx + r.X, cy + r.Y)) continue;
            var merit = tracking ? inFrame.IntersectionOverUnion(_box) : f.Score * f.Area;
            if (merit <= best || (tracking && merit < 0.3)) continue;
            best = merit;
            chosen = inFrame;
        }
        if (best > 0) _box = chosen;
        return best > 0;
    }
}
