namespace StepAudio.Automotive.Vision;

/// <summary>
/// One frame's lip measurements for a seat, in face-normalised units (1 = the inter-ocular distance), so
/// they do not change with the occupant's distance to the camera.
/// </summary>
/// <param name="MouthOpening">Mean vertical gap between the inner lips (points 61↔67, 62↔66, 63↔65).</param>
/// <param name="OuterOpening">Gap between the outer lip centres (51↔57).</param>
/// <param name="MouthWidth">Inner mouth corner to corner (60↔64).</param>
/// <param name="MotionEnergy">RMS displacement of the 20 lip points since the previous frame, after removing the head's own motion.</param>
public readonly record struct LipFeatures(double MouthOpening, double OuterOpening, double MouthWidth, double MotionEnergy);

/// <summary>
/// Turns a face's landmarks into <see cref="LipFeatures"/>. The lip points are expressed in a head frame —
/// origin between the eyes, x along the eye line, unit the inter-ocular distance — so head translation,
/// roll and scale do not count as lip motion; landmark geometry does not change with IR exposure either.
/// </summary>
public sealed class LipFeatureExtractor
{
    private const int FirstLip = 48;
    private const int LipPoints = 20;

    private readonly double[] _previous = new double[2 * LipPoints];
    private readonly double[] _current = new double[2 * LipPoints];
    private bool _hasPrevious;

    /// <summary>Forget the previous frame (the face was lost): the next frame's motion energy is 0.</summary>
    public void Reset() => _hasPrevious = false;

    public LipFeatures Measure(FaceLandmarks landmarks)
    {
        var (lx, ly) = landmarks.Centre(36, 42);
        var (rx, ry) = landmarks.Centre(42, 48);
        double ox = (lx + rx) / 2, oy = (ly + ry) / 2;
        double ux = rx - lx, uy = ry - ly;
        var iod = Math.Sqrt((ux * ux) + (uy * uy));
        if (iod < 1e-6) iod = 1e-6;
        ux /= iod;
        uy /= iod;
        for (var i = 0; i < LipPoints; i++)
        {
            double dx = landmarks.X(FirstLip + i) - ox, dy = landmarks.Y(FirstLip + i) - oy;
            _current[2 * i] = ((dx * ux) + (dy * uy)) / iod;
            _current[(2 * i) + 1] = ((-dx * uy) + (dy * ux)) / iod;
        }
        var energy = 0.0;
        if (_hasPrevious)
        {
            for (var i = 0; i < 2 * LipPoints; i++) energy += (_current[i] - _previous[i]) * (_current[i] - _previous[i]);
            energy = Math.Sqrt(energy / LipPoints);
        }
        _current.CopyTo(_previous, 0);
        _hasPrevious = true;
        var inner = (Gap(61, 67) + Gap(62, 66) + Gap(63, 65)) / 3;
        var width = Math.Abs(X(64) - X(60));
        return new LipFeatures(inner, Gap(51, 57), width, energy);
    }

    private double X(int point) => _current[2 * (point - FirstLip)];

    private double Gap(int upper, int lower) => _current[(2 * (lower - FirstLip)) + 1] - _current[(2 * (upper - FirstLip)) + 1];
}
