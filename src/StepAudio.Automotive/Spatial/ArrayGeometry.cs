using System.Globalization;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Spatial;

/// <summary>
/// The microphone array as the spatial stage sees it: positions, the pairs used for
/// correlation, propagation delays to points (near field) and directions (far field), and a
/// start-up check of what this geometry cannot tell apart.
/// </summary>
public sealed class ArrayGeometry
{
    /// <summary>Speed of sound in a cabin at about 20 °C, m/s.</summary>
    public const double SpeedOfSound = 343.0;

    public ArrayGeometry(CabinProfile profile)
    {
        Profile = profile;
        Mics = [.. profile.Mics];
        Centre = profile.ArrayCentre;
        var pairs = new List<(int, int)>();
        for (var p = 0; p < Mics.Length; p++)
            for (var q = p + 1; q < Mics.Length; q++)
                pairs.Add((p, q));
        Pairs = [.. pairs];
        Aperture = pairs.Max(pq => Mics[pq.Item1].DistanceTo(Mics[pq.Item2]));
        Axis = FindAxis(Mics, out var collinear);
        IsCollinear = collinear;
    }

    public CabinProfile Profile { get; }

    public Point3[] Mics { get; }

    public Point3 Centre { get; }

    public int Count => Mics.Length;

    /// <summary>Every unordered microphone pair (p &lt; q).</summary>
    public (int P, int Q)[] Pairs { get; }

    /// <summary>Largest distance between two microphones, metres.</summary>
    public double Aperture { get; }

    /// <summary>All microphones lie on one line (within 1 % of the aperture).</summary>
    public bool IsCollinear { get; }

    /// <summary>Unit vector along the array's longest extent.</summary>
    public Point3 Axis { get; }

    /// <summary>Largest inter-microphone delay any source can produce, seconds.</summary>
    public double MaxDelaySeconds => Aperture / SpeedOfSound;

    /// <summary>Propagation time from a point source to a microphone, seconds.</summary>
    public double ArrivalSeconds(Point3 source, int mic) => source.DistanceTo(Mics[mic]) / SpeedOfSound;

    /// <summary>Arrival time of a plane wave from unit direction <paramref name="direction"/>, relative to the centre.</summary>
    public double FarFieldArrivalSeconds(Point3 direction, int mic) => -Point3.Dot(Mics[mic] - Centre, direction) / SpeedOfSound;

    /// <summary>Direction of a point as seen from the array centre (azimuth, elevation in degrees).</summary>
    public (double AzimuthDeg, double ElevationDeg) DirectionOf(Point3 point)
    {
        var v = point - Centre;
        return (v.AzimuthDeg, v.ElevationDeg);
    }

    /// <summary>
    /// Reasons this geometry cannot do its job, for the status event: zones (or a zone and a
    /// loudspeaker) whose inter-microphone delays are too alike to separate in the band, zones on the
    /// axis of a linear array, an aperture too small for the band's highest frequency.
    /// </summary>
    public IReadOnlyList<string> Check(double bandHighHz)
    {
        var warnings = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        // Half a period at the band's top is the smallest delay difference GCC-PHAT resolves reliably
        // in a 32 ms frame; a quarter of that is hopeless.
        var minResolvable = 0.125 / bandHighHz;
        if (Aperture < SpeedOfSound / bandHighHz / 4)
            warnings.Add(string.Format(inv, "microphone aperture {0:0.###} m is below a quarter wavelength at {1:0} Hz: directions cannot be resolved", Aperture, bandHighHz));
        var zones = Profile.Zones;
        if (IsCollinear)
        {
            foreach (var z in zones)
            {
                var v = z.Position - Centre;
                var angle = Math.Acos(Math.Min(1, Math.Abs(Point3.Dot(v, Axis)) / v.Length)) * 180 / Math.PI;
                if (angle < 20)
                    warnings.Add(string.Format(inv, "zone {0} lies {1:0}° from the axis of the linear microphone array, where direction barely changes the delays", z.Name, angle));
            }
        }
        var points = zones.Select(z => (Kind: "zone", z.Name, z.Position))
            .Concat(Profile.Loudspeakers.Select(s => (Kind: "loudspeaker", s.Name, s.Position))).ToArray();
        for (var a = 0; a < points.Length; a++)
        {
            for (var b = a + 1; b < points.Length; b++)
            {
                if (points[a].Kind == "loudspeaker" && points[b].Kind == "loudspeaker") continue;
                var d = DelayDistance(points[a].Position, points[b].Position);
                if (d < minResolvable)
                    warnings.Add(string.Format(inv, "{0} {1} and {2} {3} differ by at most {4:0.0} µs in inter-microphone delay (below {5:0.0} µs resolvable at {6:0} Hz): they cannot be told apart",
                        points[a].Kind, points[a].Name, points[b].Kind, points[b].Name, d * 1e6, minResolvable * 1e6, bandHighHz));
            }
        }
        return warnings;
    }

    /// <summary>Largest difference, over microphone pairs, between the pair delays of two source points.</summary>
    public double DelayDistance(Point3 a, Point3 b)
    {
        double worst = 0;
        foreach (var (p, q) in Pairs)
        {
            var da = ArrivalSeconds(a, p) - ArrivalSeconds(a, q);
            var db = ArrivalSeconds(b, p) - ArrivalSeconds(b, q);
            worst = Math.Max(worst, Math.Abs(da - db));
        }
        return worst;
    }

    private static Point3 FindAxis(Point3[] mics, out bool collinear)
    {
        var (a, b) = (mics[0], mics[1]);
        var longest = 0.0;
        foreach (var p in mics)
            foreach (var q in mics)
                if (p.DistanceTo(q) > longest)
                    (a, b, longest) = (p, q, p.DistanceTo(q));
        var axis = (b - a) * (1 / longest);
        var offAxis = mics.Max(m => Point3.Cross(m - a, axis).Length);
        collinear = offAxis < 0.01 * longest;
        return axis;
    }
}
