using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>
/// What the infotainment side sees: subscribes to the whole topic tree, checks every payload against
/// its JSON Schema as it arrives, and can acknowledge escalations or send control messages.
/// </summary>
internal sealed class BusSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttTopics _topics;
    private readonly bool _ackEscalations;
    private int _rejections;

    private BusSubscriber(MqttTopics topics, bool ackEscalations)
    {
        _topics = topics;
        _ackEscalations = ackEscalations;
        _client.ApplicationMessageReceivedAsync += OnMessage;
    }

    public ConcurrentQueue<MqttApplicationMessage> Messages { get; } = new();

    public ConcurrentQueue<string> SchemaProblems { get; } = new();

    /// <summary>Keep every message (false for floods: only count and check them).</summary>
    public bool Keep { get; set; } = true;

    /// <summary>Control responses that rejected with a reason.</summary>
    public int Rejections => Volatile.Read(ref _rejections);

    public static async Task<BusSubscriber> ConnectAsync(int port, MqttTopics topics, bool ackEscalations = false, string clientId = "infotainment", bool persistentSession = false, string? username = null)
    {
        var s = new BusSubscriber(topics, ackEscalations);
        await s.ConnectAsync(port, clientId, persistentSession, username);
        return s;
    }

    public async Task ConnectAsync(int port, string clientId = "infotainment", bool persistentSession = false, string? username = null)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(!persistentSession)
            .WithSessionExpiryInterval(persistentSession ? 3600u : 0u);
        if (username is not null) builder.WithCredentials(username, "");
        await _client.ConnectAsync(builder.Build());
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_topics.Prefix + "/#").WithAtLeastOnceQoS().WithNoLocal())
            .WithTopicFilter(f => f.WithTopic("replies/#").WithAtLeastOnceQoS()).Build());
    }

    public Task<MqttClientPublishResult> SendAsync(string topic, byte[] payload, string? responseTopic = null, byte[]? correlation = null)
    {
        var b = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null) b.WithResponseTopic(responseTopic);
        if (correlation is not null) b.WithCorrelationData(correlation);
        return _client.PublishAsync(b.Build());
    }

    public IEnumerable<MqttApplicationMessage> On(string topic) => Messages.Where(m => m.Topic == topic);

    public static JsonElement Json(MqttApplicationMessage m) => JsonDocument.Parse(m.Payload.ToArray()).RootElement;

    public static string Id(MqttApplicationMessage m) => Json(m).GetProperty("messageId").GetString()!;

    /// <summary>Waits (bounded) for a condition on what has arrived; false on timeout.</summary>
    public async Task<bool> WaitForAsync(Func<BusSubscriber, bool> condition, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(10);
        }
        return true;
    }

    public async Task DisconnectAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync();
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
        }
        _client.Dispose();
    }

    private async Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        var m = e.ApplicationMessage;
        var schema = SchemaFor(m.Topic);
        if (schema is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(m.Payload.ToArray());
                var problem = PayloadSchemas.Check(schema, doc.RootElement);
                if (problem is not null) SchemaProblems.Enqueue($"{m.Topic}: {problem}");
                if (schema == "control-response" && !doc.RootElement.GetProperty("accepted").GetBoolean() && doc.RootElement.GetProperty("reason").GetString()!.Length > 0)
                    Interlocked.Increment(ref _rejections);
            }
            catch (JsonException ex)
            {
                SchemaProblems.Enqueue($"{m.Topic}: not JSON: {ex.Message}");
            }
        }
        if (Keep) Messages.Enqueue(m);
        if (_ackEscalations && m.Topic == _topics.Escalation)
        {
            // Acknowledge from another task: publishing QoS 1 inside the receive handler would wait on itself.
            var response = m.ResponseTopic!;
            var correlation = m.CorrelationData;
            _ = Task.Run(() => SendAsync(response, """{"handledBy":"test-gateway"}"""u8.ToArray(), correlation: correlation));
        }
        await Task.CompletedTask;
    }

    private string? SchemaFor(string topic)
    {
        if (topic.StartsWith(_topics.ControlResponse, StringComparison.Ordinal) || topic.StartsWith("replies/", StringComparison.Ordinal)) return "control-response";
        if (topic == _topics.EscalationAck) return "escalation-ack";
        if (topic.StartsWith(_topics.ControlPrefix, StringComparison.Ordinal)) return null; // hostile input, judged by the service
        var name = topic[(_topics.Prefix.Length + 1)..];
        return PayloadSchemas.Outbound.Contains(name) ? name : null;
    }
}
