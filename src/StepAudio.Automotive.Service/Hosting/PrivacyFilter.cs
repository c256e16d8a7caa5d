using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>
/// Privacy mute (control/mute): nothing decided in a muted zone leaves the service, on any sink.
/// Cabin-wide events (status) always pass.
/// </summary>
public sealed class PrivacyFilter(ControlState control, IEventSink next) : IEventSink
{
    public void Publish(CabinEvent e)
    {
        if (e.ZoneName is { } zone && control.IsMuted(zone)) return;
        next.Publish(e);
    }
}
