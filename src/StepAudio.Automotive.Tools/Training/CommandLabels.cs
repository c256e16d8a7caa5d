using System.Text.Json;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// <c>commands-en.labels.json</c>: what each output of the command head means. Output 0 is none
/// (<c>"intent": null</c>); output k is grammar phrase k − 1 with its intent, text and slots.
/// </summary>
public static class CommandLabels
{
    public static byte[] ToJson(CommandGrammar grammar, string grammarPath, int window)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("grammar", grammarPath.Replace('\\', '/'));
            w.WriteNumber("window", window);
            w.WriteString("input", HeadExporter.InputName);
            w.WriteString("output", HeadExporter.ProbabilitiesName);
            w.WriteStartArray("labels");
            w.WriteStartObject();
            w.WriteNull("intent");
            w.WriteEndObject();
            foreach (var p in grammar.Phrases)
            {
                w.WriteStartObject();
                w.WriteString("intent", p.Intent);
                w.WriteString("text", p.Text);
                w.WriteStartObject("slots");
                foreach (var (k, v) in p.Slots) w.WriteString(k, v);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }
}
