using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Tests;

/// <summary>Collects published events in order (thread-safe), for assertions.</summary>
internal sealed class EventList : IEventSink
{
    private readonly List<CabinEvent> _events = [];

    public void Publish(CabinEvent e)
    {
        lock (_events) _events.Add(e);
    }

    public CabinEvent[] Snapshot()
    {
        lock (_events) return [.. _events];
    }

    public T[] OfType<T>() => [.. Snapshot().OfType<T>()];
}
