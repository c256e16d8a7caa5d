using System.Text;
using System.Text.Json;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>One seat of a generated cabin video: whose photo sits there, how their mouth moves and, if set, when their face turns angry.</summary>
public sealed record GeneratedSeat(SeatRegion Region, SourceFace Face, SpeechEnvelope Envelope)
{
    public AngerRamp? Anger { get; init; }
}

/// <summary>
/// Renders a cabin camera recording from real face photos: each seat's face is placed in its image region
/// (inter-ocular distance 16 % of the region's width), sways and leans (translation ±25 %/±15 % of that
/// distance, scale ±4 %, at its own slow rates), and its mouth opens and closes with the seat's
/// <see cref="SpeechEnvelope"/> (<see cref="MouthWarp"/>). The image looks like an 850–940 nm IR camera's:
/// gray, low contrast, automatic exposure drifting and stepping by up to ±30 % every 3–5 s, sensor noise
/// σ = 4 levels. Writes a mono Y4M at the profile's camera resolution and a truth JSON with, per seat and
/// frame, the envelope, whether the occupant is speaking and the 68 warped landmarks.
/// </summary>
public sealed class CabinVideoGenerator
{
    private const double NoiseSigma = 4;
    private const double Background = 18;

    private readonly CabinCamera _camera;
    private readonly IReadOnlyList<GeneratedSeat> _seats;
    private readonly double _frameRate;
    private readonly int _seed;

    public CabinVideoGenerator(CabinCamera camera, IReadOnlyList<GeneratedSeat> seats, double frameRate = 30, int seed = 1)
    {
        _camera = camera;
        _seats = seats;
        _frameRate = frameRate;
        _seed = seed;
    }

    /// <summary>face-api's demo photos (pinned in the model manifest), the source of the generated faces.</summary>
    public static readonly string[] DemoPhotos = ["face_api_sample1", "face_api_sample2", "face_api_sample3", "face_api_sample4", "face_api_sample5", "face_api_sample6"];

    /// <summary><see cref="DemoFaces(Inference.ModelStore, TinyFaceDetector, FaceLandmarker)"/> with the FP32 nets on the CPU, loaded for the call.</summary>
    public static List<SourceFace> DemoFaces(Inference.ModelStore store) => WithFaceNets(store, (d, l) => DemoFaces(store, d, l));

    /// <summary><see cref="DemoPhotoFaces(Inference.ModelStore, TinyFaceDetector, FaceLandmarker)"/> with the FP32 nets on the CPU, loaded for the call.</summary>
    public static List<SourceFace> DemoPhotoFaces(Inference.ModelStore store) => WithFaceNets(store, (d, l) => DemoPhotoFaces(store, d, l));

    private static List<SourceFace> WithFaceNets(Inference.ModelStore store, Func<TinyFaceDetector, FaceLandmarker, List<SourceFace>> load)
    {
        var cpu = new Inference.InferenceOptions { Providers = [Inference.InferenceOptions.Cpu], Precision = Inference.ModelPrecision.Fp32 };
        using var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), cpu);
        using var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store), cpu);
        return load(detector, landmarker);
    }

    /// <summary>Every usable face of the demo photos, the most frontal, closed-mouth, confidently detected first.</summary>
    public static List<SourceFace> DemoFaces(Inference.ModelStore store, TinyFaceDetector detector, FaceLandmarker landmarker) =>
        [.. DemoPhotos.SelectMany(p => SourceFace.LoadAll(store.Require(p), detector, landmarker)).OrderBy(f => f.Unsuitability)];

    /// <summary>The most suitable face of each demo photo, in <see cref="DemoPhotos"/> order: six different people.</summary>
    public static List<SourceFace> DemoPhotoFaces(Inference.ModelStore store, TinyFaceDetector detector, FaceLandmarker landmarker) =>
        [.. DemoPhotos.Select(p => SourceFace.LoadAll(store.Require(p), detector, landmarker).OrderBy(f => f.Unsuitability).First())];

    /// <summary>
    /// The camera for a rendered cabin scene: one seat per camera region, the faces taken in turn from
    /// <paramref name="firstFace"/> on, each mouth moving over that seat's own talker utterances (seeded syllables;
    /// seats nobody talks from stay closed), and the seats in <paramref name="anger"/> turning angry on their ramps.
    /// </summary>
    public static List<GeneratedSeat> SceneSeats(CabinCamera camera, IReadOnlyList<SourceFace> faces, int firstFace, IEnumerable<RenderedUtterance> utterances, double duration, int envelopeSeed, IReadOnlyDictionary<string, AngerRamp>? anger = null) =>
        [.. camera.Seats.Select((r, i) => new GeneratedSeat(r, faces[(firstFace + i) % faces.Count], new SpeechEnvelope(
            duration,
            envelopeSeed + i,
            utterances.Where(u => u.Kind == SceneSourceKind.Talker && u.Source == r.Zone).Select(u => (u.StartSeconds, u.EndSeconds))))
        {
            Anger = anger?.GetValueOrDefault(r.Zone),
        })];

    /// <summary>One seat per camera region in profile order, each with the next face; the <paramref name="talking"/> seats get seeded envelopes (their first spurts 1.5 s apart), the others stay closed.</summary>
    public static List<GeneratedSeat> Seats(CabinCamera camera, IReadOnlyList<SourceFace> faces, IReadOnlyList<string> talking, double seconds, int seed)
    {
        if (faces.Count < camera.Seats.Count) throw new InvalidInputException("faces", $"{faces.Count} faces for {camera.Seats.Count} seats");
        var order = talking.ToList();
        return [.. camera.Seats.Select((r, i) => new GeneratedSeat(r, faces[i],
            order.Contains(r.Zone) ? new SpeechEnvelope(seconds, (seed * 100) + i, firstSpurt: 0.6 + (1.5 * order.IndexOf(r.Zone))) : SpeechEnvelope.Silent(seconds)))];
    }

    /// <summary>Writes <paramref name="y4mPath"/> and <paramref name="truthPath"/> for <paramref name="seconds"/> of video.</summary>
    public void Write(string y4mPath, string truthPath, double seconds)
    {
        var frames = (int)Math.Round(seconds * _frameRate);
        var rng = new Random(_seed);
        var noise = new double[1 << 20];
        for (var i = 0; i < noise.Length; i++)
            noise[i] = NoiseSigma * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var motions = _seats.Select(_ => new HeadMotion(rng)).ToArray();
        var warps = _seats.Select(s => new MouthWarp(s.Face)).ToArray();
        var angers = _seats.Select(s => s.Anger is null ? null : new AngerWarp(s.Face)).ToArray();
        var exposure = new AutoExposure(rng, seconds);
        int w = _camera.Width, h = _camera.Height;
        var luma = new byte[w * h];
        var scene = new double[w * h];
        var truth = new double[_seats.Count][][];
        for (var s = 0; s < _seats.Count; s++) truth[s] = new double[frames][];

        using (var y4m = new BufferedStream(File.Create(y4mPath), 1 << 20))
        {
            y4m.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{w} H{h} F{(int)Math.Round(_frameRate * 1000)}:1000 Ip A1:1 Cmono\n"));
            // Farther seats (smaller regions) first, so nearer faces cover them where they overlap.
            var order = Enumerable.Range(0, _seats.Count).OrderBy(i => _seats[i].Region.Width).ToArray();
            for (var f = 0; f < frames; f++)
            {
                var t = f / _frameRate;
                Array.Fill(scene, Background);
                foreach (var s in order)
                    truth[s][f] = RenderSeat(scene, w, h, _seats[s], warps[s], angers[s], motions[s], t);
                var gain = exposure.Gain(t);
                var offset = rng.Next(noise.Length);
                for (var i = 0; i < scene.Length; i++)
                    luma[i] = (byte)Math.Clamp(Math.Round((gain * scene[i]) + noise[(offset + i) & (noise.Length - 1)]), 0, 255);
                y4m.Write("FRAME\n"u8);
                y4m.Write(luma);
            }
        }
        WriteTruth(truthPath, frames, truth);
    }

    /// <summary>Draws one face into the scene (before exposure and noise); returns its 68 landmarks in the frame.</summary>
    private static double[] RenderSeat(double[] scene, int w, int h, GeneratedSeat seat, MouthWarp warp, AngerWarp? angerWarp, HeadMotion motion, double t)
    {
        var src = seat.Face.Landmarks;
        var r = seat.Region;
        var opening = seat.Envelope.Opening(t);
        // The face first turns angry, then its mouth opens: rendering undoes the two in reverse.
        var anger = angerWarp is null ? 0 : seat.Anger!.At(t);
        var (ex, ey) = Mid(src.Centre(36, 42), src.Centre(42, 48));
        var (mx, my) = src.Centre(48, 68);
        double ax = (ex + mx) / 2, ay = (ey + my) / 2; // the face's anchor in the photo
        var iodDst = 0.16 * r.Width;
        var (dx, dy, zoom) = motion.At(t, iodDst);
        var scale = iodDst / src.InterOcularDistance() * zoom; // frame pixels per photo pixel
        double cx = r.X + (r.Width / 2.0) + dx, cy = r.Y + (r.Height / 2.0) + dy;
        // The photo patch: the face with some hair and neck, inside the seat's region.
        int x0 = Math.Max(r.X, (int)(cx - (1.6 * iodDst))), x1 = Math.Min(r.X + r.Width, (int)(cx + (1.6 * iodDst)));
        int y0 = Math.Max(r.Y, (int)(cy - (2.1 * iodDst))), y1 = Math.Min(r.Y + r.Height, (int)(cy + (2.1 * iodDst)));
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
            {
                double px = ax + ((x - cx) / scale), py = ay + ((y - cy) / scale);
                var from = warp.Backward(px, py, opening);
                if (from is not { } p)
                    scene[(y * w) + x] = MouthWarp.CavityLevel;
                else if (anger > 0)
                {
                    var (qx, qy) = angerWarp!.Backward(p.X, p.Y, anger);
                    scene[(y * w) + x] = 25 + (0.75 * angerWarp.Shade(p.X, p.Y, anger) * seat.Face.Sample(qx, qy));
                }
                else
                    scene[(y * w) + x] = 25 + (0.75 * seat.Face.Sample(p.X, p.Y));
            }
        var points = new double[2 * FaceLandmarks.Count];
        for (var i = 0; i < FaceLandmarks.Count; i++)
        {
            var lower = i is >= 55 and <= 59 or >= 65 and <= 67;
            var (gx, gy) = angerWarp?.Forward(src.X(i), src.Y(i), anger) ?? (src.X(i), src.Y(i));
            var (fx, fy) = warp.Forward(gx, gy, opening, lower);
            points[2 * i] = cx + ((fx - ax) * scale);
            points[(2 * i) + 1] = cy + ((fy - ay) * scale);
        }
        return points;
    }

    private static (double, double) Mid((double X, double Y) a, (double X, double Y) b) => ((a.X + b.X) / 2, (a.Y + b.Y) / 2);

    private void WriteTruth(string path, int frames, double[][][] landmarks)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteNumber("frameRate", _frameRate);
        json.WriteNumber("frames", frames);
        json.WriteNumber("width", _camera.Width);
        json.WriteNumber("height", _camera.Height);
        json.WriteStartArray("seats");
        for (var s = 0; s < _seats.Count; s++)
        {
            var seat = _seats[s];
            json.WriteStartObject();
            json.WriteString("zone", seat.Region.Zone);
            json.WriteString("photo", seat.Face.Name);
            json.WriteStartArray("envelope");
            for (var f = 0; f < frames; f++) json.WriteNumberValue(Math.Round(seat.Envelope.Opening(f / _frameRate), 3));
            json.WriteEndArray();
            json.WriteStartArray("speaking");
            for (var f = 0; f < frames; f++) json.WriteBooleanValue(seat.Envelope.Speaking(f / _frameRate));
            json.WriteEndArray();
            if (seat.Anger is { } ramp)
            {
                json.WriteStartArray("anger");
                for (var f = 0; f < frames; f++) json.WriteNumberValue(Math.Round(ramp.At(f / _frameRate), 3));
                json.WriteEndArray();
            }
            json.WriteStartArray("landmarks");
            for (var f = 0; f < frames; f++)
            {
                json.WriteStartArray();
                foreach (var v in landmarks[s][f]) json.WriteNumberValue(Math.Round(v, 2));
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A seated head's slow sway and lean, each seat at its own rates and phases.</summary>
    private sealed class HeadMotion(Random rng)
    {
        private readonly double _fx = 0.2 + (0.2 * rng.NextDouble()), _fy = 0.15 + (0.2 * rng.NextDouble()), _fz = 0.1 + (0.1 * rng.NextDouble());
        private readonly double _px = 2 * Math.PI * rng.NextDouble(), _py = 2 * Math.PI * rng.NextDouble(), _pz = 2 * Math.PI * rng.NextDouble();

        public (double Dx, double Dy, double Zoom) At(double t, double iod) =>
            (0.25 * iod * Math.Sin((2 * Math.PI * _fx * t) + _px), 0.15 * iod * Math.Sin((2 * Math.PI * _fy * t) + _py), 1 + (0.04 * Math.Sin((2 * Math.PI * _fz * t) + _pz)));
    }

    /// <summary>The camera's automatic exposure: a slow drift plus a step to a new level every 3–5 s.</summary>
    private sealed class AutoExposure
    {
        private readonly List<(double Time, double Level)> _steps = [];
        private readonly double _phase;

        public AutoExposure(Random rng, double seconds)
        {
            _phase = 2 * Math.PI * rng.NextDouble();
            for (double t = 0; t < seconds; t += 3 + (2 * rng.NextDouble())) _steps.Add((t, 0.75 + (0.55 * rng.NextDouble())));
        }

        public double Gain(double t)
        {
            var level = _steps.Last(s => s.Time <= t).Level;
            return level * (1 + (0.15 * Math.Sin((2 * Math.PI * 0.07 * t) + _phase)));
        }
    }
}
