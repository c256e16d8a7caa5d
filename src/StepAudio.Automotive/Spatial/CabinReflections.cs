using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// The early reflections of the cabin's interior (a shoebox: roof, floor, side windows, windscreen, rear
/// shelf), as image sources up to <see cref="Order"/> with one pressure reflection coefficient from
/// Eyring's formula for the interior's RT60. A seat's mouth is closer to the side window beside it than
/// to the array (rear seats: 0.4 m against 1.3 m on the console array), so its reflection arrives about
/// 1 ms after the direct sound, inside the same STFT frame, from a direction between the seat and the
/// seat in front of it; steering to the direct path alone puts the phases of a rear talker between the two
/// seats. Steering to direct path plus reflections tells the two apart.
/// </summary>
public sealed class CabinReflections
{
    private readonly Point3 _min;
    private readonly Point3 _size;

    public CabinReflections(CabinInterior interior, int order)
    {
        _min = interior.Min;
        _size = interior.Max - interior.Min;
        Order = order;
        var volume = _size.X * _size.Y * _size.Z;
        var surface = 2 * ((_size.X * _size.Y) + (_size.X * _size.Z) + (_size.Y * _size.Z));
        // Eyring: RT60 = 24 ln10 V / (−c S ln(1 − α)), pressure coefficient β = √(1 − α).
        Beta = Math.Exp(-12 * Math.Log(10) * volume / (ArrayGeometry.SpeedOfSound * surface * interior.Rt60Seconds));
    }

    /// <summary>Highest number of wall bounces modelled (1: the six first-order images).</summary>
    public int Order { get; }

    /// <summary>Pressure reflection coefficient of every surface.</summary>
    public double Beta { get; }

    /// <summary>Path length and amplitude (1/r times β per bounce) of the direct path and every image up to <see cref="Order"/>.</summary>
    public (double Metres, double Gain)[] Paths(Point3 source, Point3 mic)
    {
        var paths = new List<(double, double)>();
        var s = source - _min;
        var m = mic - _min;
        for (var nx = -Order; nx <= Order; nx++)
        for (var qx = 0; qx <= 1; qx++)
        for (var ny = -Order; ny <= Order; ny++)
        for (var qy = 0; qy <= 1; qy++)
        for (var nz = -Order; nz <= Order; nz++)
        for (var qz = 0; qz <= 1; qz++)
        {
            var order = Math.Abs(nx - qx) + Math.Abs(nx) + Math.Abs(ny - qy) + Math.Abs(ny) + Math.Abs(nz - qz) + Math.Abs(nz);
            if (order > Order) continue;
            var image = new Point3(
                ((1 - (2 * qx)) * s.X) + (2 * nx * _size.X),
                ((1 - (2 * qy)) * s.Y) + (2 * ny * _size.Y),
                ((1 - (2 * qz)) * s.Z) + (2 * nz * _size.Z));
            var d = Math.Max(0.01, image.DistanceTo(m));
            paths.Add((d, Math.Pow(Beta, order) / d));
        }
        return [.. paths];
    }

    /// <summary>Complex transfer of <paramref name="paths"/> (from <see cref="Paths"/>) at angular frequency ω.</summary>
    public static (double Re, double Im) Transfer((double Metres, double Gain)[] paths, double omega)
    {
        double re = 0, im = 0;
        foreach (var (d, g) in paths)
        {
            var phase = -omega * d / ArrayGeometry.SpeedOfSound;
            re += g * Math.Cos(phase);
            im += g * Math.Sin(phase);
        }
        return (re, im);
    }
}
