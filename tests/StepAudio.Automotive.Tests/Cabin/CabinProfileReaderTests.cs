using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tests.Cabin;

public class CabinProfileReaderTests
{
    private const string Zones = """
        "zones": { "driver": [0.2, 0.37, 0.78], "front-passenger": [0.2, -0.37, 0.78] }
        """;

    private static string Profile(string mics = "[[0.495,0,1.15],[0.45,0.045,1.15],[0.405,0,1.15],[0.45,-0.045,1.15]]", string zones = Zones, string rate = "16000") =>
        $$"""{ "name": "t", "sampleRate": {{rate}}, "mics": {{mics}}, {{zones}} }""";

    [Theory]
    [InlineData("sedan-console-circular", 4)]
    [InlineData("sedan-headliner-linear", 4)]
    public void ShippedProfilesLoad(string name, int mics)
    {
        var p = CabinProfileReader.Load(TestPaths.Cabin(name));
        Assert.Equal(mics, p.Mics.Count);
        Assert.Equal(["driver", "front-passenger", "rear-left", "rear-right"], p.Zones.Select(z => z.Name));
        Assert.Equal(16000, p.SampleRate);
        Assert.NotNull(p.Interior);
        Assert.Equal(4, p.Loudspeakers.Count);
    }

    [Fact]
    public void ComputesArrayCentreAndRadius()
    {
        var p = CabinProfileReader.Parse(Profile(), "t.json");
        Assert.Equal(0.45, p.ArrayCentre.X, 6);
        Assert.Equal(0.0, p.ArrayCentre.Y, 6);
        Assert.Equal(0.045, p.ArrayRadius, 6);
        Assert.Equal(1, p.ZoneIndex("front-passenger"));
        Assert.Equal(-1, p.ZoneIndex("rear-middle"));
    }

    [Theory]
    [InlineData("[[0,0,1]]", "mics: 1 microphone(s): at least 2")]
    [InlineData("[[0,0,1],[0.05,0,1],[0,0,1.0005]]", "mics[2]: duplicates mics[0]")]
    [InlineData("[[0,0,1],[0.05,0,1e999]]", "mics[1][2]: 1e999 is not a finite number")]
    [InlineData("[[0,0,1],[0.05,0,\"NaN\"]]", "mics[1][2]: expected a number")]
    [InlineData("[[0,0,1],[0.05,0]]", "mics[1]: expected [x, y, z]")]
    public void RejectsBadMicrophones(string mics, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => CabinProfileReader.Parse(Profile(mics: mics), "cabin.json"));
        Assert.StartsWith("cabin.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsZoneInsideTheArray()
    {
        var e = Assert.Throws<InvalidInputException>(() =>
            CabinProfileReader.Parse(Profile(zones: """ "zones": { "driver": [0.46, 0.01, 1.15] } """), "cabin.json"));
        Assert.Contains("zones.driver: mouth position", e.Message, StringComparison.Ordinal);
        Assert.Contains("inside the microphone array", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("44100", "sampleRate: 44100 Hz is not supported")]
    [InlineData("\"16k\"", "sampleRate: required integer")]
    public void RejectsSampleRatesThePipelineCannotRun(string rate, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => CabinProfileReader.Parse(Profile(rate: rate), "cabin.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"name\": \"t\", \"sampleRate\": 16000 ", "not valid JSON")]
    [InlineData("[1,2]", "$: expected a JSON object")]
    [InlineData("{ \"sampleRate\": 16000 }", "name: required string is missing")]
    [InlineData("{ \"name\": \"t\", \"sampleRate\": 16000, \"mics\": [[0,0,1],[0.05,0,1]] }", "zones: required object")]
    public void RejectsMalformedProfiles(string json, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => CabinProfileReader.Parse(json, "cabin.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsPointsOutsideTheInterior()
    {
        var json = Profile().TrimEnd('}') + """, "interior": { "min": [-1,-0.75,0], "max": [0.3,0.75,1.2], "rt60": 0.1 } }""";
        var e = Assert.Throws<InvalidInputException>(() => CabinProfileReader.Parse(json, "cabin.json"));
        Assert.Contains("mics[0]: (0.495, 0, 1.15) lies outside the interior box", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var e = Assert.Throws<InvalidInputException>(() => CabinProfileReader.Load("/nonexistent/cabin.json"));
        Assert.StartsWith("/nonexistent/cabin.json: cannot read cabin profile", e.Message, StringComparison.Ordinal);
    }
}

public class CabinCameraTests
{
    private const string Base = """{ "name": "t", "sampleRate": 16000, "mics": [[0.495,0,1.15],[0.45,0.045,1.15],[0.405,0,1.15],[0.45,-0.045,1.15]], "zones": { "driver": [0.2, 0.37, 0.78], "front-passenger": [0.2, -0.37, 0.78] }""";

    private static string Profile(string camera) => Base + """, "camera": """ + camera + "}";

    [Theory]
    [InlineData("sedan-console-circular", 1280, 800)]
    [InlineData("sedan-headliner-linear", 640, 480)]
    public void ShippedProfilesPlaceEverySeatInTheImage(string name, int width, int height)
    {
        var camera = CabinProfileReader.Load(TestPaths.Cabin(name)).Camera!;
        Assert.Equal((width, height), (camera.Width, camera.Height));
        Assert.Equal(["driver", "front-passenger", "rear-left", "rear-right"], camera.Seats.Select(s => s.Zone));
        // Vehicle left (+y, the driver) appears on the right of a rear-facing camera's image.
        Assert.True(camera.RegionOf("driver")!.X > camera.RegionOf("front-passenger")!.X);
    }

    [Fact]
    public void ReadsResolutionAndSeatRegions()
    {
        var p = CabinProfileReader.Parse(Profile("""{ "width": 640, "height": 480, "zones": { "driver": { "x": 300, "y": 40, "w": 200, "h": 240 } } }"""), "c.json");
        Assert.Equal(new SeatRegion("driver", 300, 40, 200, 240), p.Camera!.RegionOf("driver"));
        Assert.Null(p.Camera.RegionOf("front-passenger"));
    }

    [Fact]
    public void CameraIsOptional()
    {
        var p = CabinProfileReader.Parse(Base + "}", "c.json");
        Assert.Null(p.Camera);
    }

    [Theory]
    [InlineData("[]", "camera: expected an object with width, height and zones")]
    [InlineData("""{ "height": 480, "zones": {} }""", "camera.width: required integer (pixels) is missing")]
    [InlineData("""{ "width": 640.5, "height": 480, "zones": {} }""", "camera.width: expected an integer number of pixels, found 640.5")]
    [InlineData("""{ "width": 640, "height": 0, "zones": {} }""", "camera.height: 0 is not in 16..8192 pixels")]
    [InlineData("""{ "width": 640, "height": 480 }""", "camera.zones: required object of zone name")]
    [InlineData("""{ "width": 640, "height": 480, "zones": {} }""", "camera.zones: at least one seat must be visible to the camera")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "rear-middle": { "x": 0, "y": 0, "w": 64, "h": 64 } } }""", "camera.zones.rear-middle: 'rear-middle' is not one of the profile's zones (driver, front-passenger)")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "driver": [0, 0, 64, 64] } }""", "camera.zones.driver: expected an image region { x, y, w, h } in pixels")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "driver": { "x": 0, "y": 0, "w": 64 } } }""", "camera.zones.driver.h: required integer (pixels) is missing")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "driver": { "x": -1, "y": 0, "w": 64, "h": 64 } } }""", "camera.zones.driver.x: -1 is not in 0..639 pixels")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "driver": { "x": 600, "y": 0, "w": 64, "h": 64 } } }""", "camera.zones.driver.w: region x + w = 664 runs past the image width 640")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "driver": { "x": 0, "y": 450, "w": 64, "h": 64 } } }""", "camera.zones.driver.h: region y + h = 514 runs past the image height 480")]
    [InlineData("""{ "width": 640, "height": 480, "zones": { "driver": { "x": 0, "y": 0, "w": 8, "h": 64 } } }""", "camera.zones.driver.w: 8 is not in 32..640 pixels")]
    public void BadCameraFieldsAreNamed(string camera, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => CabinProfileReader.Parse(Profile(camera), "cabin.json"));
        Assert.StartsWith("cabin.json: " + expected, e.Message, StringComparison.Ordinal);
    }
}
