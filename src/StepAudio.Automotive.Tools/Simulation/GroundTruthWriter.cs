using System.Text.Encodings.Web;
using System.Text.Json;
using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Writes a rendered scene's ground truth as JSON: the room, the noise, and per utterance who spoke
/// (zone or loudspeaker), when (emission start and end of speech, seconds), from where (position,
/// and azimuth/elevation/distance from the array centre, the event contract's convention), what and
/// in which voice. Numbers are rounded (times to the millisecond) so the file is stable in git.
/// </summary>
public static class GroundTruthWriter
{
    public static void Write(string path, SceneRender render, string? audioPath = null)
    {
        using var fs = File.Create(path);
        Write(fs, render, audioPath);
    }

    public static void Write(Stream stream, SceneRender render, string? audioPath = null)
    {
        var scene = render.Scene;
        var cabin = scene.Cabin;
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        if (audioPath is not null) w.WriteString("audio", audioPath);
        w.WriteString("cabin", cabin.Name);
        w.WriteNumber("sampleRate", render.SampleRate);
        w.WriteNumber("channels", render.Channels);
        w.WriteNumber("duration", Round(render.Frames / (double)render.SampleRate, 3));
        w.WriteNumber("rt60", Round(render.Rt60Seconds, 3));
        w.WriteNumber("reflectionCoefficient", Round(render.ReflectionCoefficient, 4));
        w.WriteNumber("seed", scene.Seed);
        if (scene.Noise is { } n)
        {
            w.WriteStartObject("noise");
            w.WriteNumber("snr", Round(n.SnrDb, 2));
            w.WriteNumber("sources", n.Sources);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("noise");
        }
        if (scene.SensorNoiseDbfs is { } sensor) w.WriteNumber("sensorNoise", Round(sensor, 1));
        else w.WriteNull("sensorNoise");
        w.WriteNumber("outputGain", Round(render.OutputGain, 4));
        WritePoint(w, "arrayCentre", cabin.ArrayCentre);
        w.WriteStartArray("utterances");
        foreach (var u in render.Utterances)
        {
            w.WriteStartObject();
            w.WriteString("kind", u.Kind == SceneSourceKind.Talker ? "talker" : "loudspeaker");
            w.WriteString(u.Kind == SceneSourceKind.Talker ? "zone" : "loudspeaker", u.Source);
            w.WriteNumber("start", Round(u.StartSeconds, 3));
            w.WriteNumber("end", Round(u.EndSeconds, 3));
            WritePoint(w, "position", u.Position);
            w.WriteNumber("azimuthDeg", Round(u.AzimuthDeg, 1));
            w.WriteNumber("elevationDeg", Round(u.ElevationDeg, 1));
            w.WriteNumber("distance", Round(u.DistanceMetres, 3));
            var spoken = u.Event.Signal is null && u.Event.AudioPath is null;
            w.WriteString("text", spoken ? u.Event.Text : null);
            w.WriteString("voice", spoken ? u.Event.Voice : null);
            if (u.Event.AudioPath is not null) w.WriteString("audio", Path.GetFileName(u.Event.AudioPath));
            w.WriteNumber("gainDb", Round(u.Event.GainDb, 2));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.Write("\n"u8);
    }

    private static void WritePoint(Utf8JsonWriter w, string name, Point3 p)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(Round(p.X, 3));
        w.WriteNumberValue(Round(p.Y, 3));
        w.WriteNumberValue(Round(p.Z, 3));
        w.WriteEndArray();
    }

    private static double Round(double v, int digits)
    {
        var r = Math.Round(v, digits, MidpointRounding.AwayFromZero);
        return r == 0 ? 0 : r; // no "-0"
    }
}
