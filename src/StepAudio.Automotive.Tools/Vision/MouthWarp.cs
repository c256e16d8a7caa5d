using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>
/// Opens a photographed mouth: everything below the lip line (lower lip, chin) moves down by up to
/// <c>opening × 30 % of the mouth width</c>, most at the mouth's centre line and fading to nothing at the
/// corners and at the chin; the gap that opens between the lips is the dark mouth cavity. The lip line is
/// the darkest row between the outer lip centres (where the lips meet), not the landmark net's inner-lip
/// points, which can sit a few pixels off. Works in the face's upright coordinates, forward (for the truth
/// landmarks) and backward (for rendering).
/// </summary>
public sealed class MouthWarp
{
    private readonly double _centreX;
    private readonly double _halfWidth;
    private readonly double _lipLine;
    private readonly double _chinDrop;
    private readonly double _maxDrop;

    public MouthWarp(SourceFace source, double maxOpening = 0.3)
    {
        var face = source.Landmarks;
        _centreX = (face.X(48) + face.X(54)) / 2;
        var width = Math.Abs(face.X(54) - face.X(48));
        _halfWidth = width / 2 * 1.15;
        _lipLine = DarkestRow(source, _centreX, width / 4, face.Y(51), face.Y(57));
        _chinDrop = Math.Max(face.Y(8) - _lipLine, 10);
        _maxDrop = maxOpening * width;
    }

    private static double DarkestRow(SourceFace source, double centreX, double halfSpan, double top, double bottom)
    {
        var (best, at) = (double.MaxValue, (top + bottom) / 2);
        for (var y = (int)Math.Ceiling(top); y <= (int)Math.Floor(bottom); y++)
        {
            var sum = 0.0;
            for (var x = (int)(centreX - halfSpan); x <= (int)(centreX + halfSpan); x++) sum += source.Sample(x, y);
            if (sum < best) (best, at) = (sum, y);
        }
        return at;
    }

    /// <summary>Dark level of the open mouth (0..255 before the camera's gain).</summary>
    public const double CavityLevel = 28;

    private double Drop(double x, double ySource, double opening)
    {
        var t = (x - _centreX) / _halfWidth;
        if (Math.Abs(t) >= 1) return 0;
        var across = 0.5 * (1 + Math.Cos(Math.PI * t));
        var u = (ySource - _lipLine) / _chinDrop;
        var down = u <= 0 ? 1 : u >= 1 ? 0 : 0.5 * (1 + Math.Cos(Math.PI * u));
        return opening * _maxDrop * across * down;
    }

    /// <summary>Where a photo point goes; points of the lower lip (55–59, 65–67) move with it even if above the line.</summary>
    public (double X, double Y) Forward(double x, double y, double opening, bool lowerLip = false) =>
        y >= _lipLine || lowerLip ? (x, y + Drop(x, Math.Max(y, _lipLine), opening)) : (x, y);

    /// <summary>The photo point seen at a warped position, or null inside the opened cavity.</summary>
    public (double X, double Y)? Backward(double x, double y, double opening)
    {
        if (y < _lipLine || opening <= 0) return (x, y);
        var gap = Drop(x, _lipLine, opening);
        if (y < _lipLine + gap) return null;
        var ys = y - gap;
        for (var i = 0; i < 6; i++) ys = y - Drop(x, ys, opening);
        return (x, ys);
    }
}
