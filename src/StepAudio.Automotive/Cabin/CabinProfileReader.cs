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

        return new CabinProfile(name, sampleRate, mics, zones, speakers, interior);
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
