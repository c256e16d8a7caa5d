using System.Collections.ObjectModel;

namespace StepAudio.Automotive.Cabin;

/// <summary>
/// One vehicle model's cabin: microphone array geometry (in WAV/ALSA channel order) and the
/// mouth position of each seat zone, in the vehicle frame. Load with <see cref="CabinProfileReader"/>.
/// </summary>
public sealed class CabinProfile
{
    /// <summary>The only rate the pipeline runs at: the speech models are trained at 16 kHz.</summary>
    public const int PipelineSampleRate = 16000;

    public CabinProfile(
        string name,
        int sampleRate,
        IReadOnlyList<Point3> mics,
        IReadOnlyList<CabinZone> zones,
        IReadOnlyList<CabinZone> loudspeakers,
        CabinInterior? interior,
        CabinCamera? camera = null)
    {
        Name = name;
        SampleRate = sampleRate;
        Mics = new ReadOnlyCollection<Point3>([.. mics]);
        Zones = new ReadOnlyCollection<CabinZone>([.. zones]);
        Loudspeakers = new ReadOnlyCollection<CabinZone>([.. loudspeakers]);
        Interior = interior;
        Camera = camera;
        var c = default(Point3);
        foreach (var m in Mics) c += m;
        ArrayCentre = c * (1.0 / Mics.Count);
        ArrayRadius = Mics.Max(m => m.DistanceTo(ArrayCentre));
    }

    public string Name { get; }
    public int SampleRate { get; }
    public ReadOnlyCollection<Point3> Mics { get; }

    /// <summary>Seat zones in profile order; each point is the occupant's mouth.</summary>
    public ReadOnlyCollection<CabinZone> Zones { get; }

    /// <summary>Loudspeaker positions (radio, phone audio), so their direction can be suppressed.</summary>
    public ReadOnlyCollection<CabinZone> Loudspeakers { get; }

    /// <summary>The cabin's interior box, used by the acoustic simulator; optional.</summary>
    public CabinInterior? Interior { get; }

    /// <summary>The cabin camera's resolution and seat regions; null for a cabin without one.</summary>
    public CabinCamera? Camera { get; }

    public Point3 ArrayCentre { get; }

    /// <summary>Largest distance of a microphone from the array centre, metres.</summary>
    public double ArrayRadius { get; }

    public int ZoneIndex(string zone)
    {
        for (var i = 0; i < Zones.Count; i++)
            if (Zones[i].Name == zone) return i;
        return -1;
    }
}

/// <summary>A named point in the cabin: a seat's mouth position or a loudspeaker.</summary>
public sealed record CabinZone(string Name, Point3 Position);

/// <summary>An axis-aligned box bounding the cabin interior, with its target reverberation time.</summary>
public sealed record CabinInterior(Point3 Min, Point3 Max, double Rt60Seconds);
