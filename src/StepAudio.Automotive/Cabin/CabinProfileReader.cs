using System.Globalization;
using System.Text.Json;

namespace StepAudio.Automotive.Cabin;

/// <summary>
/// Reads and validates a cabin profile JSON. Every problem becomes one
/// <see cref="InvalidInputException"/> naming the file and the field.
/// </summary>
public static class CabinProfileReader
{
    /// <summary>Two microphones closer than this are the same microphone listed twice.</summary>
    public const double MinMicSpacing = 0.002;

    /// <summary>A mouth must be at least this far outside the array's radius to be localisable.</summary>
    public const double MinZoneClearance = 0.10;

    public static CabinProfile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot read cabin profile ({e.Message})");
        }
        return Parse(text, path);
    }

    public static CabinProfile Parse(string json, string sourceName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(sourceName, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        using (doc)
        {
            return Read(doc.RootElement, sourceName);
        }
    }

    private static CabinProfile Read(JsonElement root, string src)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Error(src, "$", "expected a JSON object");

        var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()!
            : throw Error(src, "name", "required string is missing");
        if (string.IsNullOrWhiteSpace(name)) throw Error(src, "name", "must not be empty");

        if (!root.TryGetProperty("sampleRate", out var sr) || sr.ValueKind != JsonValueKind.Number || !sr.TryGetInt32(out var sampleRate))
            throw Error(src, "sampleRate", "required integer is missing");
        if (sampleRate != CabinProfile.PipelineSampleRate)
            throw Error(src, "sampleRate", $"{sampleRate} Hz is not supported: the pipeline runs at {CabinProfile.PipelineSampleRate} Hz (recordings at other rates are resampled)");

        if (!root.TryGetProperty("mics", out var micsEl) || micsEl.ValueKind != JsonValueKind.Array)
            throw Error(src, "mics", "required array of [x, y, z] positions is missing");
        var mics = new List<Point3>();
        var i = 0;
        foreach (var m in micsEl.EnumerateArray())
        {
            mics.Add(ReadPoint(m, src, $"mics[{i}]"));
            i++;
        }
        if (mics.Count < 2)
            throw Error(src, "mics", $"{mics.Count} microphone(s): at least 2 are needed to localise");
        for (var a = 0; a < mics.Count; a++)
            for (var b = a + 1; b < mics.Count; b++)
                if (mics[a].DistanceTo(mics[b]) < MinMicSpacing)
                    throw Error(src, $"mics[{b}]", $"duplicates mics[{a}] at {mics[a]}");

        if (!root.TryGetProperty("zones", out var zonesEl) || zonesEl.ValueKind != JsonValueKind.Object)
            throw Error(src, "zones", "required object of zone name → mouth position [x, y, z] is missing");
        var zones = ReadNamedPoints(zonesEl, src, "zones");
        if (zones.Count == 0) throw Error(src, "zones", "at least one zone is needed");

        var centre = default(Point3);
        foreach (var m in mics) centre += m;
        centre *= 1.0 / mics.Count;
        var radius = mics.Max(m => m.DistanceTo(centre));
        foreach (var z in zones)
        {
            var d = z.Position.DistanceTo(centre);
            if (d < radius + MinZoneClearance)
                throw Error(src, $"zones.{z.Name}", string.Create(CultureInfo.InvariantCulture,
                    $"mouth position {z.Position} is inside the microphone array ({d:0.###} m from its centre, array radius {radius:0.###} m); a zone must be at least {MinZoneClearance} m outside it"));
        }

        var speakers = root.TryGetProperty("loudspeakers", out var spEl)
            ? spEl.ValueKind == JsonValueKind.Object ? ReadNamedPoints(spEl, src, "loudspeakers") : throw Error(src, "loudspeakers", "expected an object of name → [x, y, z]")
            : [];

        CabinInterior? interior = null;
        if (root.TryGetProperty("interior", out var inEl))
        {
            if (inEl.ValueKind != JsonValueKind.Object) throw Error(src, "interior", "expected an object with min, max and rt60");
            var min = inEl.TryGetProperty("min", out var mn) ? ReadPoint(mn, src, "interior.min") : throw Error(src, "interior.min", "required");
            var max = inEl.TryGetProperty("max", out var mx) ? ReadPoint(mx, src, "interior.max") : throw Error(src, "interior.max", "required");
            if (max.X <= min.X || max.Y <= min.Y || max.Z <= min.Z)
                throw Error(src, "interior", "max must be greater than min on every axis");
            var rt60 = inEl.TryGetProperty("rt60", out var rt) ? ReadNumber(rt, src, "interior.rt60") : 0.1;
            if (rt60 is <= 0 or > 2) throw Error(src, "interior.rt60", "must be in (0, 2] seconds");
            interior = new CabinInterior(min, max, rt60);
            foreach (var p in mics.Select((m, k) => new CabinZone($"mics[{k}]", m)).Concat(zones).Concat(speakers))
                if (p.Position.X < min.X || p.Position.Y < min.Y || p.Position.Z < min.Z || p.Position.X > max.X || p.Position.Y > max.Y || p.Position.Z > max.Z)
                    throw Error(src, p.Name, $"{p.Position} lies outside the interior box");
        }

        var camera = root.TryGetProperty("camera", out var camEl) ? ReadCamera(camEl, src, zones) : null;

        return new CabinProfile(name, sampleRate, mics, zones, speakers, interior, camera);
    }

    /// <summary>Smallest seat region side: a face smaller than this cannot be found.</summary>
    public const int MinSeatRegionPixels = 32;

    private static CabinCamera ReadCamera(JsonElement el, string src, List<CabinZone> zones)
    {
        if (el.ValueKind != JsonValueKind.Object) throw Error(src, "camera", "expected an object with width, height and zones");
        var width = ReadPixels(el, src, "camera", "width", 16, 8192);
        var height = ReadPixels(el, src, "camera", "height", 16, 8192);
        if (!el.TryGetProperty("zones", out var zonesEl) || zonesEl.ValueKind != JsonValueKind.Object)
            throw Error(src, "camera.zones", "required object of zone name → image region { x, y, w, h } is missing");
        var seats = new List<SeatRegion>();
        foreach (var p in zonesEl.EnumerateObject())
        {
            var field = $"camera.zones.{p.Name}";
            if (!zones.Exists(z => z.Name == p.Name))
                throw Error(src, field, $"'{p.Name}' is not one of the profile's zones ({string.Join(", ", zones.Select(z => z.Name))})");
            if (p.Value.ValueKind != JsonValueKind.Object) throw Error(src, field, "expected an image region { x, y, w, h } in pixels");
            var x = ReadPixels(p.Value, src, field, "x", 0, width - 1);
            var y = ReadPixels(p.Value, src, field, "y", 0, height - 1);
            var w = ReadPixels(p.Value, src, field, "w", MinSeatRegionPixels, width);
            var h = ReadPixels(p.Value, src, field, "h", MinSeatRegionPixels, height);
            if (x + w > width) throw Error(src, $"{field}.w", $"region x + w = {x + w} runs past the image width {width}");
            if (y + h > height) throw Error(src, $"{field}.h", $"region y + h = {y + h} runs past the image height {height}");
            seats.Add(new SeatRegion(p.Name, x, y, w, h));
        }
        if (seats.Count == 0) throw Error(src, "camera.zones", "at least one seat must be visible to the camera");
        return new CabinCamera(width, height, seats);
    }

    private static int ReadPixels(JsonElement obj, string src, string parent, string name, int min, int max)
    {
        var field = $"{parent}.{name}";
        if (!obj.TryGetProperty(name, out var el)) throw Error(src, field, "required integer (pixels) is missing");
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt32(out var v))
            throw Error(src, field, $"expected an integer number of pixels, found {el.GetRawText()}");
        if (v < min || v > max) throw Error(src, field, $"{v} is not in {min}..{max} pixels");
        return v;
    }

    private static List<CabinZone> ReadNamedPoints(JsonElement obj, string src, string field)
    {
        var list = new List<CabinZone>();
        foreach (var p in obj.EnumerateObject())
        {
            if (string.IsNullOrWhiteSpace(p.Name)) throw Error(src, field, "a name is empty");
            list.Add(new CabinZone(p.Name, ReadPoint(p.Value, src, $"{field}.{p.Name}")));
        }
        return list;
    }

    private static Point3 ReadPoint(JsonElement el, string src, string field)
    {
        if (el.ValueKind != JsonValueKind.Array || el.GetArrayLength() != 3)
            throw Error(src, field, "expected [x, y, z] in metres");
        return new Point3(
            ReadNumber(el[0], src, field + "[0]"),
            ReadNumber(el[1], src, field + "[1]"),
            ReadNumber(el[2], src, field + "[2]"));
    }

    private static double ReadNumber(JsonElement el, string src, string field)
    {
        if (el.ValueKind != JsonValueKind.Number)
            throw Error(src, field, $"expected a number, found {el.ValueKind.ToString().ToLowerInvariant()} {el.GetRawText()}");
        if (!el.TryGetDouble(out var v) || !double.IsFinite(v))
            throw Error(src, field, $"{el.GetRawText()} is not a finite number");
        return v;
    }

    private static InvalidInputException Error(string src, string field, string problem) =>
        new(src, $"{field}: {problem}");
}
