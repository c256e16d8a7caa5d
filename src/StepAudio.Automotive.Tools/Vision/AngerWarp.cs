using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>
/// Turns a photographed face toward anger, driven by its 68 landmarks: the brows lowered and drawn together
/// (most at their inner ends, with two vertical furrows between them), the eyes left open under them (a glare),
/// the lips pressed together (an open or smiling mouth closes), the mouth corners brought down to just below
/// the lip line and a wide smile narrowed. Each landmark handle moves by a fraction of the inter-ocular
/// distance times the intensity (0 neutral … 1 full anger) and drags the skin around it with a Gaussian
/// falloff. Works in the face's upright coordinates, forward (for the truth landmarks) and backward (for
/// rendering). Tuned against face-api's expression net (AngerWarpTests): it reads the warped closed-mouth
/// demo faces as angry, not yet the laughing ones (their teeth and cheeks stay "happy", "sad" or "disgusted").
/// </summary>
public sealed class AngerWarp
{
    // (landmark, dx, dy, radius), in inter-ocular distances; dx is toward the face's midline (sign set per side).
    private static readonly (int Point, double Dx, double Dy, double Radius)[] Handles =
    [
        (17, 0.00, 0.026, 0.19), (19, 0.03, 0.117, 0.19), (21, 0.10, 0.26, 0.19),
        (26, 0.00, 0.026, 0.19), (24, 0.03, 0.117, 0.19), (22, 0.10, 0.26, 0.19),
        // The brows' pull would close the eyes (which the net reads as sad or disgusted): the upper lids stay up, glaring.
        (37, 0.00, -0.05, 0.08), (38, 0.00, -0.05, 0.08), (43, 0.00, -0.05, 0.08), (44, 0.00, -0.05, 0.08),
    ];

    // How far the inner lips move toward each other, as a share of the gap between them.
    private const double LipPress = 0.8;

    private const double FurrowDepth = 0.3;

    private readonly double[] _cx, _cy, _dx, _dy, _inv2s2, _reach2;
    private readonly double _furrowX, _furrowTop, _furrowBottom, _furrowSpread, _furrowWidth;

    public AngerWarp(SourceFace source)
    {
        var face = source.Landmarks;
        var iod = face.InterOcularDistance();
        var midline = (face.X(27) + face.X(30) + face.X(51) + face.X(8)) / 4;
        // Pressed lips: the inner lips meet over the lip centre line (an open or smiling mouth closes), the corners
        // come down to just below that line and the mouth narrows to an unsmiling width.
        var lipY = (face.Y(62) + face.Y(66)) / 2;
        var upperGap = Math.Max(0, lipY - face.Y(62)) / iod * LipPress;
        var lowerGap = Math.Max(0, face.Y(66) - lipY) / iod * LipPress;
        var lipR = Math.Max(0.12, 1.2 * (upperGap + lowerGap));
        var cornerDy = (((lipY - face.Y(48)) + (lipY - face.Y(54))) / 2 / iod) + 0.03;
        var cornerDx = Math.Max(0, (Math.Abs(face.X(54) - face.X(48)) / 2 / iod) - 0.45);
        (int, double, double, double)[] handles =
        [
            .. Handles,
            (48, cornerDx, cornerDy, 0.12), (54, cornerDx, cornerDy, 0.12),
            (61, 0, upperGap, lipR), (62, 0, upperGap, lipR), (63, 0, upperGap, lipR), (51, 0, upperGap * 0.7, lipR),
            (65, 0, -lowerGap, lipR), (66, 0, -lowerGap, lipR), (67, 0, -lowerGap, lipR), (57, 0, -lowerGap * 0.7, lipR),
        ];
        var n = handles.Length;
        (_cx, _cy, _dx, _dy, _inv2s2, _reach2) = (new double[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        // Two vertical furrows between the lowered brows.
        _furrowX = (face.X(21) + face.X(22)) / 2;
        _furrowSpread = 0.1 * iod;
        _furrowWidth = 0.02 * iod;
        _furrowTop = Math.Min(face.Y(21), face.Y(22)) - (0.05 * iod);
        _furrowBottom = _furrowTop + (0.35 * iod);
        for (var k = 0; k < n; k++)
        {
            var (p, dx, dy, r) = handles[k];
            _cx[k] = face.X(p);
            _cy[k] = face.Y(p);
            _dx[k] = (face.X(p) < midline ? dx : -dx) * iod;
            _dy[k] = dy * iod;
            var s = r * iod;
            _inv2s2[k] = 1 / (2 * s * s);
            _reach2[k] = 9 * s * s;
        }
    }

    /// <summary>Where a photo point goes at <paramref name="intensity"/>.</summary>
    public (double X, double Y) Forward(double x, double y, double intensity)
    {
        if (intensity <= 0) return (x, y);
        var (dx, dy) = Displacement(x, y);
        return (x + (intensity * dx), y + (intensity * dy));
    }

    /// <summary>The photo point seen at a warped position (fixed-point inverse of <see cref="Forward"/>).</summary>
    public (double X, double Y) Backward(double x, double y, double intensity)
    {
        if (intensity <= 0) return (x, y);
        double sx = x, sy = y;
        for (var i = 0; i < 5; i++)
        {
            var (dx, dy) = Displacement(sx, sy);
            (sx, sy) = (x - (intensity * dx), y - (intensity * dy));
        }
        return (sx, sy);
    }

    /// <summary>The whole photo square warped to <paramref name="intensity"/>, and its landmarks moved with it (e.g. to show the expression net).</summary>
    public (byte[] Gray, FaceLandmarks Landmarks) Render(SourceFace source, double intensity)
    {
        var gray = new byte[source.Width * source.Height];
        for (var y = 0; y < source.Height; y++)
            for (var x = 0; x < source.Width; x++)
            {
                var (sx, sy) = Backward(x, y, intensity);
                gray[(y * source.Width) + x] = (byte)Math.Round(Shade(x, y, intensity) * source.Sample(sx, sy));
            }
        var landmarks = new FaceLandmarks();
        for (var i = 0; i < FaceLandmarks.Count; i++)
        {
            var (fx, fy) = Forward(source.Landmarks.X(i), source.Landmarks.Y(i), intensity);
            landmarks.Set(i, fx, fy);
        }
        return (gray, landmarks);
    }

    /// <summary>Brightness factor at a warped position: the furrows between the brows darken with the intensity.</summary>
    public double Shade(double x, double y, double intensity)
    {
        if (intensity <= 0 || y < _furrowTop || y > _furrowBottom) return 1;
        var along = Math.Sin(Math.PI * (y - _furrowTop) / (_furrowBottom - _furrowTop));
        var d = Math.Min(Math.Abs(x - _furrowX - _furrowSpread), Math.Abs(x - _furrowX + _furrowSpread)) / _furrowWidth;
        return 1 - (FurrowDepth * intensity * along * Math.Exp(-d * d));
    }

    private (double Dx, double Dy) Displacement(double x, double y)
    {
        double dx = 0, dy = 0;
        for (var k = 0; k < _cx.Length; k++)
        {
            double ex = x - _cx[k], ey = y - _cy[k];
            var d2 = (ex * ex) + (ey * ey);
            if (d2 > _reach2[k]) continue;
            var w = Math.Exp(-d2 * _inv2s2[k]);
            dx += w * _dx[k];
            dy += w * _dy[k];
        }
        return (dx, dy);
    }
}

/// <summary>How angry a seat's face looks over time: neutral until <see cref="Onset"/>, then rising linearly to full anger over <see cref="RampSeconds"/>.</summary>
public sealed record AngerRamp(double Onset, double RampSeconds)
{
    public double At(double t) => t <= Onset ? 0 : Math.Min(1, (t - Onset) / RampSeconds);
}
