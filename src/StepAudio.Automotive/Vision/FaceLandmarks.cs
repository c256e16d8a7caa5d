namespace StepAudio.Automotive.Vision;

/// <summary>
/// 68 facial landmarks in image pixels, in the iBUG 300-W order face-api uses: jaw 0–16, brows 17–26,
/// nose 27–35, eyes 36–41 (subject's right, image left) and 42–47, outer lips 48–59, inner lips 60–67.
/// Reused between frames: the landmarker overwrites it.
/// </summary>
public sealed class FaceLandmarks
{
    public const int Count = 68;

    private readonly double[] _xy = new double[2 * Count];

    public double X(int i) => _xy[2 * i];

    public double Y(int i) => _xy[(2 * i) + 1];

    public void Set(int i, double x, double y)
    {
        _xy[2 * i] = x;
        _xy[(2 * i) + 1] = y;
    }

    public void CopyTo(FaceLandmarks other) => _xy.CopyTo(other._xy, 0);

    /// <summary>Mean of points [from, to).</summary>
    public (double X, double Y) Centre(int from, int to)
    {
        double sx = 0, sy = 0;
        for (var i = from; i < to; i++)
        {
            sx += X(i);
            sy += Y(i);
        }
        return (sx / (to - from), sy / (to - from));
    }

    /// <summary>Distance between the two eye centres: the face-size unit for lip features and landmark error.</summary>
    public double InterOcularDistance()
    {
        var (lx, ly) = Centre(36, 42);
        var (rx, ry) = Centre(42, 48);
        return Math.Sqrt(((rx - lx) * (rx - lx)) + ((ry - ly) * (ry - ly)));
    }

    /// <summary>face-api's aligned face box (what the expression net is fed): the landmarks' bounding box grown by 20 % of its size.</summary>
    public FaceBox AlignedBox(double score)
    {
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = 0, maxY = 0;
        for (var i = 0; i < Count; i++)
        {
            minX = Math.Min(minX, X(i));
            minY = Math.Min(minY, Y(i));
            maxX = Math.Max(maxX, X(i));
            maxY = Math.Max(maxY, Y(i));
        }
        double w = maxX - minX, h = maxY - minY;
        return new FaceBox(minX - (w * 0.1), minY - (h * 0.1), w * 1.2, h * 1.2, score);
    }
}
