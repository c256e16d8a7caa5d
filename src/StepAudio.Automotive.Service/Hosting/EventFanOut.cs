using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>Hands each event to every configured sink (log, JSONL file, MQTT).</summary>
public sealed class EventFanOut(IEnumerable<IEventSink> sinks) : IEventSink
{
    private readonly IEventSink[] _sinks = [.. sinks];

    public void Publish(CabinEvent e)
    {
        foreach (var s in _sinks) s.Publish(e);
    }
}
