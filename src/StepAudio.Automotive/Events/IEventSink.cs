namespace StepAudio.Automotive.Events;

/// <summary>Where decided events go: a JSONL file, the MQTT publisher, a test's list.</summary>
public interface IEventSink
{
    void Publish(CabinEvent e);
}
