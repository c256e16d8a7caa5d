using System.Collections.ObjectModel;

namespace StepAudio.Automotive.Cabin;

/// <summary>
/// The cabin camera's image geometry: its resolution and where in the image each seat's occupant
/// appears. A seat the camera cannot see has no region and stays audio-only.
/// </summary>
public sealed class CabinCamera
{
    public CabinCamera(int width, int height, IReadOnlyList<SeatRegion> seats)
    {
        Width = width;
        Height = height;
        Seats = new ReadOnlyCollection<SeatRegion>([.. seats]);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Seat regions in profile order of appearance.</summary>
    public ReadOnlyCollection<SeatRegion> Seats { get; }

    /// <summary>The image region of <paramref name="zone"/>, or null when the camera does not see that seat.</summary>
    public SeatRegion? RegionOf(string zone) => Seats.FirstOrDefault(s => s.Zone == zone);
}

/// <summary>The image rectangle, in pixels from the top-left corner, in which a seat's occupant sits.</summary>
public sealed record SeatRegion(string Zone, int X, int Y, int Width, int Height);
