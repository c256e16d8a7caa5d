namespace StepAudio.Automotive.Cabin;

/// <summary>A point or vector in the vehicle frame (ISO 8855: x forward, y left, z up), metres.</summary>
public readonly record struct Point3(double X, double Y, double Z)
{
    public static Point3 operator +(Point3 a, Point3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Point3 operator -(Point3 a, Point3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Point3 operator *(Point3 a, double s) => new(a.X * s, a.Y * s, a.Z * s);

    public double Length => Math.Sqrt((X * X) + (Y * Y) + (Z * Z));

    public double DistanceTo(Point3 other) => (this - other).Length;

    public static double Dot(Point3 a, Point3 b) => (a.X * b.X) + (a.Y * b.Y) + (a.Z * b.Z);

    public static Point3 Cross(Point3 a, Point3 b) =>
        new((a.Y * b.Z) - (a.Z * b.Y), (a.Z * b.X) - (a.X * b.Z), (a.X * b.Y) - (a.Y * b.X));

    /// <summary>Azimuth in degrees from +x toward +y.</summary>
    public double AzimuthDeg => Math.Atan2(Y, X) * 180.0 / Math.PI;

    /// <summary>Elevation in degrees up from the horizontal plane.</summary>
    public double ElevationDeg => Math.Atan2(Z, Math.Sqrt((X * X) + (Y * Y))) * 180.0 / Math.PI;

    /// <summary>Unit vector for a direction given as azimuth and elevation in degrees.</summary>
    public static Point3 FromDirection(double azimuthDeg, double elevationDeg)
    {
        var az = azimuthDeg * Math.PI / 180.0;
        var el = elevationDeg * Math.PI / 180.0;
        return new(Math.Cos(el) * Math.Cos(az), Math.Cos(el) * Math.Sin(az), Math.Sin(el));
    }

    public override string ToString() => FormattableString.Invariant($"({X:0.###}, {Y:0.###}, {Z:0.###})");
}
