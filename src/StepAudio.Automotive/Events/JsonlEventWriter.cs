using System.Text.Json;

namespace StepAudio.Automotive.Events;

/// <summary>Writes one JSON event per line (JSON Lines), flushing each line so a reader can follow along.</summary>
public sealed class JsonlEventWriter : IEventSink, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Utf8JsonWriter _json;

    public JsonlEventWriter(Stream stream, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _json = new Utf8JsonWriter(stream);
    }

    public void Publish(CabinEvent e)
    {
        _json.Reset(_stream);
        JsonSerializer.Serialize(_json, e, EventJsonContext.Default.CabinEvent);
        _json.Flush();
        _stream.WriteByte((byte)'\n');
        _stream.Flush();
    }

    public void Dispose()
    {
        _json.Dispose();
        if (_ownsStream) _stream.Dispose();
    }
}
