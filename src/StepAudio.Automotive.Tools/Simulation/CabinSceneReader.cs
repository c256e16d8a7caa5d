using System.Globalization;
using System.Text.Json;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Reads a scene JSON. Every problem becomes one <see cref="InvalidInputException"/> naming the file
/// and the field. Unknown fields are errors too, so a misspelt "snr" never silently means "no noise".
/// </summary>
/// <remarks>
/// <code>
/// { "cabin": "../cabins/sedan-console-circular.json",   // relative to the scene file
///   "duration": 20, "rt60": 0.1, "seed": 7, "speechLevel": -35, "sensorNoise": -70,
///   "noise": { "snr": 15, "sources": 32 },
///   "events": [ { "zone": "driver", "start": 1.0, "text": "hey jarvis", "voice": "espeak-ng:en-us",
///                 "rate": 1.0, "pitch": 1.0, "gain": 0, "offset": [0, 0, 0] },
///               { "loudspeaker": "front-left-door", "start": 9, "text": "...", "voice": "flite:slt" },
///               { "zone": "rear-left", "start": 12, "audio": "recorded.wav" } ] }   // a recording instead of TTS
/// </code>
/// </remarks>
public static class CabinSceneReader
{
    private static readonly string[] s_topFields = ["cabin", "duration", "rt60", "seed", "speechLevel", "sensorNoise", "noise", "events"];
    private static readonly string[] s_noiseFields = ["snr", "sources"];
    private static readonly string[] s_eventFields = ["zone", "loudspeaker", "start", "text", "audio", "voice", "rate", "pitch", "gain", "offset"];

    public static CabinScene Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, e is FileNotFoundException or DirectoryNotFoundException ? "scene file not found" : $"cannot read scene ({e.Message})");
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <param name="baseDirectory">Where a relative cabin path is resolved from.</param>
    public static CabinScene Parse(string json, string sourceName, string baseDirectory)
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
            return Read(doc.RootElement, sourceName, baseDirectory);
        }
    }

    private static CabinScene Read(JsonElement root, string src, string baseDir)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Error(src, "$", "expected a JSON object");
        CheckFields(root, s_topFields, src, "");

        if (!root.TryGetProperty("cabin", out var cabinEl) || cabinEl.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(cabinEl.GetString()))
            throw Error(src, "cabin", "required path of the cabin profile JSON is missing");
        var cabinPath = Path.Combine(baseDir, cabinEl.GetString()!);
        if (!File.Exists(cabinPath)) throw Error(src, "cabin", $"cabin profile {cabinPath} not found");
        var cabin = CabinProfileReader.Load(cabinPath);
        if (cabin.Interior is null)
            throw Error(src, "cabin", $"{cabinPath} has no \"interior\" box: the simulator needs the cabin's size and RT60");

        var duration = root.TryGetProperty("duration", out var d) ? Number(d, src, "duration") : throw Error(src, "duration", "required number of seconds is missing");
        if (duration is <= 0 or > 600) throw Error(src, "duration", $"{Fmt(duration)} s is out of range (0, 600]");

        double? rt60 = root.TryGetProperty("rt60", out var rt) ? Number(rt, src, "rt60") : null;
        if (rt60 is <= 0 or > 2) throw Error(src, "rt60", $"{Fmt(rt60!.Value)} s is out of range (0, 2]");

        var seed = 1;
        if (root.TryGetProperty("seed", out var s) && (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out seed)))
            throw Error(src, "seed", $"expected an integer, found {s.GetRawText()}");

        var level = root.TryGetProperty("speechLevel", out var lv) ? Number(lv, src, "speechLevel") : CabinScene.DefaultSpeechLevelDbfs;
        if (level is < -60 or > -6) throw Error(src, "speechLevel", $"{Fmt(level)} dBFS is out of range [-60, -6]");

        double? sensor = CabinScene.DefaultSensorNoiseDbfs;
        if (root.TryGetProperty("sensorNoise", out var sn0))
        {
            sensor = sn0.ValueKind == JsonValueKind.Null ? null : Number(sn0, src, "sensorNoise");
            if (sensor is < -120 or > -30) throw Error(src, "sensorNoise", $"{Fmt(sensor.Value)} dBFS is out of range [-120, -30] (null for none)");
        }

        SceneNoise? noise = null;
        if (root.TryGetProperty("noise", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            if (n.ValueKind != JsonValueKind.Object) throw Error(src, "noise", "expected an object { \"snr\": dB, \"sources\": count }");
            CheckFields(n, s_noiseFields, src, "noise.");
            var snr = n.TryGetProperty("snr", out var sn) ? Number(sn, src, "noise.snr") : throw Error(src, "noise.snr", "required number (dB) is missing");
            if (snr is < -20 or > 60) throw Error(src, "noise.snr", $"{Fmt(snr)} dB is out of range [-20, 60]");
            var sources = DiffuseNoiseField.DefaultSources;
            if (n.TryGetProperty("sources", out var sc) && (sc.ValueKind != JsonValueKind.Number || !sc.TryGetInt32(out sources) || sources is < 1 or > 256))
                throw Error(src, "noise.sources", $"expected an integer in [1, 256], found {sc.GetRawText()}");
            noise = new SceneNoise(snr, sources);
        }

        var events = new List<SceneEvent>();
        if (root.TryGetProperty("events", out var evs))
        {
            if (evs.ValueKind != JsonValueKind.Array) throw Error(src, "events", "expected an array of events");
            var i = 0;
            foreach (var e in evs.EnumerateArray())
            {
                events.Add(ReadEvent(e, src, $"events[{i}]", cabin, duration, baseDir));
                i++;
            }
        }

        return new CabinScene
        {
            Cabin = cabin,
            DurationSeconds = duration,
            Rt60Seconds = rt60,
            Seed = seed,
            SpeechLevelDbfs = level,
            SensorNoiseDbfs = sensor,
            Noise = noise,
            Events = events,
        };
    }

    private static SceneEvent ReadEvent(JsonElement e, string src, string field, CabinProfile cabin, double duration, string baseDir)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Error(src, field, "expected an event object");
        CheckFields(e, s_eventFields, src, field + ".");
        var hasZone = e.TryGetProperty("zone", out var z);
        var hasSpeaker = e.TryGetProperty("loudspeaker", out var l);
        if (hasZone == hasSpeaker) throw Error(src, field, "give exactly one of \"zone\" (a talker) or \"loudspeaker\" (radio)");
        var kind = hasZone ? SceneSourceKind.Talker : SceneSourceKind.Loudspeaker;
        var nameEl = hasZone ? z : l;
        var key = hasZone ? "zone" : "loudspeaker";
        var name = nameEl.ValueKind == JsonValueKind.String ? nameEl.GetString()! : throw Error(src, $"{field}.{key}", "expected a name");
        var known = hasZone ? cabin.Zones : cabin.Loudspeakers;
        if (!known.Any(k => k.Name == name))
            throw Error(src, $"{field}.{key}", $"'{name}' is not a {key} of cabin {cabin.Name} ({(known.Count == 0 ? "it has none" : string.Join(", ", known.Select(k => k.Name)))})");

        var start = e.TryGetProperty("start", out var st) ? Number(st, src, field + ".start") : throw Error(src, field + ".start", "required start time (s) is missing");
        if (start < 0 || start >= duration) throw Error(src, field + ".start", $"{Fmt(start)} s is outside the scene (0 to {Fmt(duration)} s)");

        string? audio = null;
        var text = "";
        if (e.TryGetProperty("audio", out var a))
        {
            if (e.TryGetProperty("text", out _)) throw Error(src, field, "give \"text\" (spoken by TTS) or \"audio\" (a WAV recording), not both");
            if (a.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(a.GetString())) throw Error(src, field + ".audio", "expected the path of a WAV file");
            audio = Path.Combine(baseDir, a.GetString()!);
            if (!File.Exists(audio)) throw Error(src, field + ".audio", $"{audio} not found");
        }
        else
        {
            text = e.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Error(src, field + ".text", "required text to speak (or \"audio\", a WAV file) is missing");
            if (string.IsNullOrWhiteSpace(text)) throw Error(src, field + ".text", "must not be empty");
        }

        var voice = TextToSpeech.DefaultVoice;
        if (e.TryGetProperty("voice", out var v))
        {
            voice = v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Error(src, field + ".voice", "expected a string such as \"espeak-ng:en-us\" or \"flite:slt\"");
            try
            {
                TextToSpeech.ParseVoice(voice);
            }
            catch (InvalidInputException x)
            {
                throw Error(src, field + ".voice", x.Problem);
            }
        }
        var rate = e.TryGetProperty("rate", out var r) ? Number(r, src, field + ".rate") : 1.0;
        if (rate is < 0.25 or > 4) throw Error(src, field + ".rate", $"{Fmt(rate)} is out of range [0.25, 4] (a factor: 1 is normal)");
        var pitch = e.TryGetProperty("pitch", out var p) ? Number(p, src, field + ".pitch") : 1.0;
        if (pitch is < 0.25 or > 4) throw Error(src, field + ".pitch", $"{Fmt(pitch)} is out of range [0.25, 4] (a factor: 1 is normal)");
        var gain = e.TryGetProperty("gain", out var g) ? Number(g, src, field + ".gain") : 0.0;
        if (gain is < -40 or > 20) throw Error(src, field + ".gain", $"{Fmt(gain)} dB is out of range [-40, 20]");

        var offset = default(Point3);
        if (e.TryGetProperty("offset", out var o))
        {
            if (!hasZone) throw Error(src, field + ".offset", "only a talker's mouth can be offset");
            if (o.ValueKind != JsonValueKind.Array || o.GetArrayLength() != 3) throw Error(src, field + ".offset", "expected [dx, dy, dz] in metres");
            offset = new Point3(Number(o[0], src, field + ".offset[0]"), Number(o[1], src, field + ".offset[1]"), Number(o[2], src, field + ".offset[2]"));
            if (offset.Length > 0.3) throw Error(src, field + ".offset", $"{offset} moves the mouth {Fmt(offset.Length)} m; at most 0.3 m keeps it in its seat");
            var pos = known.First(k => k.Name == name).Position + offset;
            var box = cabin.Interior!;
            if (pos.X <= box.Min.X || pos.Y <= box.Min.Y || pos.Z <= box.Min.Z || pos.X >= box.Max.X || pos.Y >= box.Max.Y || pos.Z >= box.Max.Z)
                throw Error(src, field + ".offset", $"moves the mouth to {pos}, outside the cabin interior");
        }

        return new SceneEvent
        {
            Kind = kind,
            Source = name,
            StartSeconds = start,
            Text = text,
            AudioPath = audio,
            Voice = voice,
            Rate = rate,
            Pitch = pitch,
            GainDb = gain,
            Offset = offset,
        };
    }

    private static void CheckFields(JsonElement obj, string[] allowed, string src, string prefix)
    {
        foreach (var p in obj.EnumerateObject())
            if (!allowed.Contains(p.Name))
                throw Error(src, prefix + p.Name, $"unknown field (expected one of {string.Join(", ", allowed)})");
    }

    private static double Number(JsonElement el, string src, string field)
    {
        if (el.ValueKind != JsonValueKind.Number)
            throw Error(src, field, $"expected a number, found {el.ValueKind.ToString().ToLowerInvariant()} {el.GetRawText()}");
        if (!el.TryGetDouble(out var v) || !double.IsFinite(v))
            throw Error(src, field, $"{el.GetRawText()} is not a finite number");
        return v;
    }

    private static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static InvalidInputException Error(string src, string field, string problem) => new(src, $"{field}: {problem}");
}
