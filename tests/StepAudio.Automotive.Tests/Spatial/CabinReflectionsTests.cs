using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Tests.Spatial;

public class CabinReflectionsTests
{
    private static readonly CabinProfile Profile = CabinProfileReader.Load(TestPaths.ConsoleCabin);

    [Fact]
    public void ImagesAreTheMirrorsOfTheSourceInTheWalls()
    {
        var interior = Profile.Interior!;
        var mouth = Profile.Zones[Profile.ZoneIndex("rear-left")].Position;
        var mic = Profile.Mics[0];
        var first = new CabinReflections(interior, 1);
        var paths = first.Paths(mouth, mic);
        Assert.Equal(7, paths.Length);
        Assert.Equal(25, new CabinReflections(interior, 2).Paths(mouth, mic).Length);
        // The direct path, and the side window beside the rear-left seat (y = max): mirror the mouth in it.
        Assert.Contains(paths, p => Math.Abs(p.Metres - mouth.DistanceTo(mic)) < 1e-9 && Math.Abs(p.Gain - (1 / p.Metres)) < 1e-9);
        var window = mouth with { Y = (2 * interior.Max.Y) - mouth.Y };
        Assert.Contains(paths, p => Math.Abs(p.Metres - window.DistanceTo(mic)) < 1e-9 && Math.Abs(p.Gain - (first.Beta / p.Metres)) < 1e-9);
        var roof = mouth with { Z = (2 * interior.Max.Z) - mouth.Z };
        Assert.Contains(paths, p => Math.Abs(p.Metres - roof.DistanceTo(mic)) < 1e-9);
    }

    [Fact]
    public void ALiveCabinReflectsMore()
    {
        var interior = Profile.Interior!;
        var dead = new CabinReflections(interior with { Rt60Seconds = 0.05 }, 1).Beta;
        var live = new CabinReflections(interior with { Rt60Seconds = 0.2 }, 1).Beta;
        Assert.InRange(dead, 0.3, live - 0.1);
        Assert.InRange(live, 0.8, 1);
    }

    [Fact]
    public void WithoutReflectionsTheTransferIsTheDirectPath()
    {
        var mouth = Profile.Zones[0].Position;
        var mic = Profile.Mics[1];
        var paths = new CabinReflections(Profile.Interior!, 0).Paths(mouth, mic);
        var (re, im) = CabinReflections.Transfer(paths, 2 * Math.PI * 1000);
        var d = mouth.DistanceTo(mic);
        var phase = -2 * Math.PI * 1000 * d / ArrayGeometry.SpeedOfSound;
        Assert.Equal(Math.Cos(phase) / d, re, 9);
        Assert.Equal(Math.Sin(phase) / d, im, 9);
    }
}
