namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// One message waiting in the <see cref="Outbox"/>. <see cref="NeedsAck"/> (escalations) stays after
/// PUBACK until the gateway acknowledges it on the response topic; <see cref="NextSend"/> is then
/// when it goes out again.
/// </summary>
public sealed record OutboxMessage(
    string MessageId,
    string Topic,
    byte[] Payload,
    int Qos,
    bool Retain,
    bool NeedsAck,
    string? Zone,
    DateTimeOffset Created,
    DateTimeOffset? Expires)
{
    /// <summary>Order of arrival; assigned by the outbox.</summary>
    public long Seq { get; init; }

    public DateTimeOffset? NextSend { get; init; }
}
