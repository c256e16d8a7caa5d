using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// Publishes the service's events to the gateway broker. Every event goes to the <see cref="Outbox"/>
/// first; one loop connects (exponential backoff with jitter; clean start off and a session expiry so
/// the broker keeps our subscriptions), drains the outbox in order and deletes what the broker has
/// acknowledged. MQTTnet 5 has no managed client: this loop is ours.
/// </summary>
public sealed partial class GatewayPublisher : IEventSink, IAsyncDisposable
{
    private const int BatchSize = 256;

    private readonly MqttOptions _options;
    private readonly GatewayAddress _address;
    private readonly string _gatewayName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ControlHandler? _control;
    private readonly IMqttClient _client;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Channel<MqttApplicationMessage> _responses = Channel.CreateBounded<MqttApplicationMessage>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly (string Name, ReadOnlyMemory<byte> Version)[] _modelVersions;
    private Task? _loop;
    private int _signalled;
    private int _disposed;
    private long _cursor;
    private int _window = 1;
    private long _lastPing = Environment.TickCount64;
    private byte[]? _lastStatus;
    private long _connects;
    private long _connectFailures;
    private long _acked;
    private long _resent;
    private long _refused;
    private long _storeFailures;

    public GatewayPublisher(MqttOptions options, GatewayAddress address, TimeProvider? time = null, ILogger? logger = null, ControlHandler? control = null)
    {
        _options = options;
        _address = address;
        _gatewayName = address.ToString();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _control = control;
        Topics = MqttTopics.For(options);
        _modelVersions = [.. options.ModelVersions.Select(kv => ("model." + kv.Key, (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(kv.Value)))];
        Outbox = new Outbox(options.OutboxPath, options.OutboxMaxMessages, _time, options.OutboxSynchronous);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public MqttTopics Topics { get; }

    public Outbox Outbox { get; }

    public bool IsConnected => _client.IsConnected;

    public long Connects => Interlocked.Read(ref _connects);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>PUBACKs received (each QoS 1 send, resends included).</summary>
    public long Acked => Interlocked.Read(ref _acked);

    public long Resent => Interlocked.Read(ref _resent);

    /// <summary>Messages the broker refused for good (e.g. not authorised): dropped, logged, counted.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Events that could not be written to the outbox (disk full or broken): lost to MQTT, logged.</summary>
    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    /// <summary>Raised with the message id when the broker acknowledges (QoS 1) or takes (QoS 0) a message.</summary>
    public event Action<string>? Delivered;

    /// <summary>Starts the connect-and-drain loop; returns at once (the broker may be down).</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    public void Publish(CabinEvent e) => Enqueue(e);

    /// <summary>Stores the event in the outbox (durably) and wakes the sender. Returns its message id.</summary>
    public string Enqueue(CabinEvent e)
    {
        var now = _time.GetUtcNow();
        var id = MqttEnvelope.NewMessageId(now);
        var payload = MqttEnvelope.ForEvent(e, id, now);
        var (qos, expiry, needsAck, retain) = e switch
        {
            IntentEvent => (1, _options.IntentExpirySeconds, false, false),
            EscalationEvent => (1, _options.EscalationExpirySeconds, true, false),
            StatusEvent => (1, 0, false, true),
            _ => (0, _options.Qos0ExpirySeconds, false, false),
        };
        if (e is StatusEvent) Volatile.Write(ref _lastStatus, payload);
        try
        {
            Outbox.Add(new OutboxMessage(id, Topics.ForEvent(e), payload, qos, retain, needsAck, e.ZoneName, now, expiry > 0 ? now.AddSeconds(expiry) : null));
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            // A full or broken disk must not stop the pipeline: the event is lost to MQTT, loudly.
            Interlocked.Increment(ref _storeFailures);
            LogStoreFailed(_logger, Topics.ForEvent(e), ex.Message);
            return id;
        }
        Signal();
        return id;
    }

    /// <summary>
    /// Waits until the broker has acknowledged everything in the outbox (escalations: PUBACK, or the
    /// gateway's ack too when <paramref name="includeGatewayAcks"/>). False on timeout.
    /// </summary>
    public async Task<bool> WaitDrainedAsync(TimeSpan timeout, bool includeGatewayAcks = false, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Outbox.DropExpired();
            if ((includeGatewayAcks ? Outbox.Count : Outbox.Unacknowledged) == 0) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(10, ct);
        }
    }

    /// <summary>Stops the loop and disconnects cleanly (no last will); what is not yet acknowledged stays in the outbox.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (Exception)
            {
                // Stopping: MQTTnet reports a cancelled publish as a timeout. The outbox keeps what was not acknowledged.
            }
        }
        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token);
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException)
            {
            }
        }
        _client.Dispose();
        Outbox.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    private void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0) _wake.Release();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = _options.ReconnectMinMilliseconds;
        while (!ct.IsCancellationRequested)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await ConnectAsync(ct);
                    backoff = _options.ReconnectMinMilliseconds;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _connectFailures);
                    var delay = (int)(backoff * (0.75 + (Random.Shared.NextDouble() * 0.5)));
                    LogConnectFailed(_logger, _gatewayName, delay, e.Message);
                    backoff = Math.Min(_options.ReconnectMaxMilliseconds, backoff * 2);
                    await Task.Delay(delay, ct);
                    continue;
                }
            }
            try
            {
                await DrainAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogPublishFailed(_logger, e.Message);
                await DropConnectionAsync();
                continue;
            }
            if (!await _wake.WaitAsync(TimeSpan.FromMilliseconds(250), ct) && !await AliveAsync(ct))
                await DropConnectionAsync();
            Interlocked.Exchange(ref _signalled, 0);
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_address.Host, _address.Port)
            .WithClientId(_options.EffectiveClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(_options.SessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(Topics.Status)
            .WithWillPayload(MqttEnvelope.Presence("offline", MqttEnvelope.NewMessageId(now), now))
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillContentType(MqttEnvelope.ContentType);
        if (!string.IsNullOrEmpty(_options.Username)) builder.WithCredentials(_options.Username, _options.Password);
        if (_address.Tls || _options.Tls.Enabled) builder.WithTlsOptions(GatewayTls.Build(_options.Tls, _address.Host));

        var result = await _client.ConnectAsync(builder.Build(), ct);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
            throw new IOException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        Interlocked.Increment(ref _connects);
        LogConnected(_logger, _gatewayName, result.IsSessionPresent);

        await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(Topics.ControlFilter).WithAtLeastOnceQoS().WithNoLocal())
                .WithTopicFilter(f => f.WithTopic(Topics.EscalationAck).WithAtLeastOnceQoS().WithNoLocal())
                .Build(),
            ct);

        // Birth: the last status we decided, or plain "online" before the first one.
        var birth = Volatile.Read(ref _lastStatus) ?? MqttEnvelope.Presence("online", MqttEnvelope.NewMessageId(now), now);
        await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(Topics.Status).WithPayload(birth).WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithContentType(MqttEnvelope.ContentType).Build(),
            ct);
        // Everything still in the outbox goes again, in order, on this connection, never more
        // unacknowledged at once than the broker's receive maximum.
        _cursor = 0;
        _window = Math.Min(_options.MaxInFlight, result.ReceiveMaximum is > 0 and var max ? max : 65535);
    }

    /// <summary>
    /// When idle for a keep-alive period, a ping: a gateway that vanished without closing the socket
    /// is noticed here rather than on the next publish.
    /// </summary>
    private async Task<bool> AliveAsync(CancellationToken ct)
    {
        if (!_client.IsConnected) return true;
        if (Environment.TickCount64 - _lastPing < _options.KeepAliveSeconds * 1000L) return true;
        _lastPing = Environment.TickCount64;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.KeepAliveSeconds));
            await _client.PingAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            LogPublishFailed(_logger, "ping: " + e.Message);
            return false;
        }
    }

    private async Task DropConnectionAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build(), timeout.Token);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        // Control verdicts: best effort (the counters are authoritative), pipelined.
        var verdicts = new List<Task>();
        while (_responses.Reader.TryRead(out var response)) verdicts.Add(PublishVerdictAsync(response, ct));
        await Task.WhenAll(verdicts);

        foreach (var m in Outbox.DueForResend())
        {
            if (!await SendAsync(m, ct)) continue;
            Interlocked.Increment(ref _resent);
            Outbox.AwaitAck([m.Seq], _time.GetUtcNow().AddSeconds(_options.EscalationResendSeconds));
        }

        var window = _window;
        var inFlight = new Queue<(OutboxMessage Message, Task<bool> Sent)>(window);
        var done = new List<long>(BatchSize);
        var awaitingAck = new List<long>();
        try
        {
            while (true)
            {
                var batch = Outbox.NextToSend(_cursor, BatchSize);
                if (batch.Count == 0) break;
                foreach (var m in batch)
                {
                    if (inFlight.Count >= window) await Settle(inFlight.Dequeue());
                    // Started in order on one thread: MQTTnet writes them to the socket in this order.
                    inFlight.Enqueue((m, SendAsync(m, ct)));
                    _cursor = m.Seq;
                }
                // The window stays open across batches; what has been acknowledged so far is forgotten now.
                Flush();
            }
            while (inFlight.Count > 0) await Settle(inFlight.Dequeue());
        }
        finally
        {
            // Whatever was acknowledged before a failure is still forgotten; the rest goes again after reconnect.
            while (inFlight.Count > 0)
            {
                try
                {
                    await Settle(inFlight.Dequeue());
                }
                catch (Exception)
                {
                    // The connection is gone; these stay in the outbox.
                }
            }
            Flush();
        }

        async Task Settle((OutboxMessage Message, Task<bool> Sent) f)
        {
            if (!await f.Sent) return;
            if (f.Message.NeedsAck) awaitingAck.Add(f.Message.Seq);
            else done.Add(f.Message.Seq);
        }

        void Flush()
        {
            Outbox.Complete(done);
            Outbox.AwaitAck(awaitingAck, _time.GetUtcNow().AddSeconds(_options.EscalationResendSeconds));
            done.Clear();
            awaitingAck.Clear();
        }
    }

    private async Task PublishVerdictAsync(MqttApplicationMessage response, CancellationToken ct)
    {
        try
        {
            await _client.PublishAsync(response, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // A verdict is a courtesy (the counters are authoritative): its failure never drops the connection.
            LogRefused(_logger, response.Topic, e.Message);
        }
    }

    /// <summary>Publishes one stored message. True when the broker took it; false when it refused it for good (dropped).</summary>
    private async Task<bool> SendAsync(OutboxMessage m, CancellationToken ct)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(m.Topic)
            .WithPayload(m.Payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)m.Qos)
            .WithRetainFlag(m.Retain)
            .WithContentType(MqttEnvelope.ContentType)
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithUserProperty("messageId", Encoding.UTF8.GetBytes(m.MessageId).AsMemory());
        if (m.Zone is not null) builder.WithUserProperty("zone", Encoding.UTF8.GetBytes(m.Zone).AsMemory());
        foreach (var (name, version) in _modelVersions) builder.WithUserProperty(name, version);
        if (m.Expires is { } expires)
        {
            var left = Math.Ceiling((expires - _time.GetUtcNow()).TotalSeconds);
            builder.WithMessageExpiryInterval((uint)Math.Max(1, left));
        }
        if (m.NeedsAck)
            builder.WithResponseTopic(Topics.EscalationAck).WithCorrelationData(Encoding.UTF8.GetBytes(m.MessageId));

        var result = await _client.PublishAsync(builder.Build(), ct);
        if (m.Qos > 0 && result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
        {
            if (result.ReasonCode is MqttClientPublishReasonCode.QuotaExceeded or MqttClientPublishReasonCode.ImplementationSpecificError)
                throw new IOException($"broker could not take {m.Topic} now: {result.ReasonCode}");
            Interlocked.Increment(ref _refused);
            LogRefused(_logger, m.Topic, result.ReasonCode.ToString());
            Outbox.Complete([m.Seq]);
            return false;
        }
        if (m.Qos > 0) Interlocked.Increment(ref _acked);
        Delivered?.Invoke(m.MessageId);
        return true;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            var message = e.ApplicationMessage;
            var topic = message.Topic;
            if (topic == Topics.EscalationAck)
            {
                OnEscalationAck(message);
            }
            else if (topic.StartsWith(Topics.ControlPrefix, StringComparison.Ordinal) && !topic.StartsWith(Topics.ControlResponse, StringComparison.Ordinal))
            {
                if (_control is null) return Task.CompletedTask;
                var verdict = _control.Handle(topic[Topics.ControlPrefix.Length..], message.Payload);
                if (!verdict.Accepted) LogControlRejected(_logger, verdict.Reason!);
                var now = _time.GetUtcNow();
                var response = new MqttApplicationMessageBuilder()
                    .WithTopic(IsPublishableTopic(message.ResponseTopic) ? message.ResponseTopic! : Topics.ControlResponse)
                    .WithPayload(MqttEnvelope.ControlResponse(topic[(Topics.Prefix.Length + 1)..], verdict.Accepted, verdict.Reason, verdict.RequestMessageId, MqttEnvelope.NewMessageId(now), now))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithContentType(MqttEnvelope.ContentType);
                if (message.CorrelationData is { Length: > 0 and <= 256 } correlation) response.WithCorrelationData(correlation);
                _responses.Writer.TryWrite(response.Build());
                Signal();
            }
        }
        catch (Exception ex)
        {
            // A message from outside must never stop the service.
            LogControlRejected(_logger, "unhandled: " + ex.Message);
        }
        return Task.CompletedTask;
    }

    private void OnEscalationAck(MqttApplicationMessage message)
    {
        string? id = null;
        if (message.CorrelationData is { Length: > 0 and <= 64 } correlation) id = Encoding.UTF8.GetString(correlation);
        else if (message.Payload.Length is > 0 and <= 1024) id = AckPayloadId(message.Payload.ToArray());
        if (id is not null && Outbox.Acknowledge(id)) LogEscalationAcked(_logger, id);
    }

    private static string? AckPayloadId(byte[] payload)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(payload);
            return PayloadSchemas.Check("escalation-ack", doc.RootElement) is null && doc.RootElement.TryGetProperty("escalationId", out var id) ? id.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static bool IsPublishableTopic(string? topic) =>
        !string.IsNullOrEmpty(topic) && topic.Length <= 256 && topic.IndexOfAny(['+', '#', '\0']) < 0;

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Gateway} (session present: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string gateway, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connect to {Gateway} failed, retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string gateway, int delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish failed, reconnecting: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused a message on {Topic} for good: {Reason}")]
    private static partial void LogRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT outbox could not store a message for {Topic}: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT control message rejected: {Reason}")]
    private static partial void LogControlRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Escalation {MessageId} acknowledged by the gateway")]
    private static partial void LogEscalationAcked(ILogger logger, string messageId);
}
