using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>
/// A real face to animate, cut from a photo: a gray square of six inter-ocular distances around the face,
/// turned so the eyes are level, with its 68 landmarks found by the project's own (face-api-verified)
/// detector and landmark net on the colour photo.
/// </summary>
public sealed class SourceFace
{
    private SourceFace(string name, int side, byte[] gray, FaceLandmarks landmarks, double yaw, double opening, double score)
    {
        Name = name;
        Width = side;
        Height = side;
        Gray = gray;
        Landmarks = landmarks;
        Yaw = yaw;
        Opening = opening;
        Score = score;
    }

    /// <summary>The detector's confidence on the colour photo.</summary>
    public double Score { get; }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }
    public byte[] Gray { get; }
    public FaceLandmarks Landmarks { get; }

    /// <summary>How far the nose tip sits off the eyes' midpoint, in inter-ocular distances: 0 for a frontal face.</summary>
    public double Yaw { get; }

    /// <summary>Inner-lip gap over the inter-ocular distance: 0 for a closed mouth.</summary>
    public double Opening { get; }

    /// <summary>How unsuited the face is to stand in for a seated occupant looking ahead with the mouth shut (lower is better).</summary>
    public double Unsuitability => Math.Abs(Yaw) + Opening + (1 - Score);

    /// <summary>Every face of at least 40 px inter-ocular distance in the photo.</summary>
    public static IReadOnlyList<SourceFace> LoadAll(string jpegPath, TinyFaceDetector detector, FaceLandmarker landmarker)
    {
        var (w, h, rgb, gray) = DemoPhoto.Load(jpegPath);
        var faces = new List<FaceBox>();
        detector.Detect(rgb, w, h, faces);
        var found = new List<SourceFace>();
        var name = Path.GetFileNameWithoutExtension(jpegPath);
        for (var k = 0; k < faces.Count; k++)
        {
            var lm = new FaceLandmarks();
            if (!landmarker.Locate(rgb, w, h, 3, faces[k], lm) || lm.InterOcularDistance() < 40) continue;
            found.Add(Upright($"{name}#{k}", gray, w, h, lm, faces[k].Score));
        }
        return found;
    }

    private static SourceFace Upright(string name, byte[] photo, int w, int h, FaceLandmarks lm, double score)
    {
        var (lx, ly) = lm.Centre(36, 42);
        var (rx, ry) = lm.Centre(42, 48);
        var (mx, my) = lm.Centre(48, 68);
        var iod = lm.InterOcularDistance();
        double cx = (((lx + rx) / 2) + mx) / 2, cy = (((ly + ry) / 2) + my) / 2;
        double cos = (rx - lx) / iod, sin = (ry - ly) / iod; // the eye line's direction
        var side = (int)Math.Ceiling(6 * iod);
        var half = side / 2.0;
        var gray = new byte[side * side];
        for (var v = 0; v < side; v++)
            for (var u = 0; u < side; u++)
            {
                double du = u - half, dv = v - half;
                gray[(v * side) + u] = (byte)Math.Round(GrayImage.Bilinear(photo, w, h, cx + (cos * du) - (sin * dv), cy + (sin * du) + (cos * dv)));
            }
        var upright = new FaceLandmarks();
        for (var i = 0; i < FaceLandmarks.Count; i++)
        {
            double dx = lm.X(i) - cx, dy = lm.Y(i) - cy;
            upright.Set(i, half + (cos * dx) + (sin * dy), half - (sin * dx) + (cos * dy));
        }
        var (ex, _) = upright.Centre(36, 48);
        var yaw = (upright.X(30) - ex) / iod;
        var opening = ((upright.Y(67) - upright.Y(61)) + (upright.Y(66) - upright.Y(62)) + (upright.Y(65) - upright.Y(63))) / 3 / iod;
        return new SourceFace(name, side, gray, upright, yaw, Math.Max(0, opening), score);
    }

    /// <summary>Bilinear gray value at a position of this face's square (edge pixels repeat outside).</summary>
    public double Sample(double x, double y) => GrayImage.Bilinear(Gray, Width, Height, x, y);
}
