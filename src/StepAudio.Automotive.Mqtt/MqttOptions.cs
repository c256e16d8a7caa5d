namespace StepAudio.Automotive.Mqtt;

/// <summary>MQTT settings (configuration section <c>StepAudio:Mqtt</c>), documented in README.</summary>
public sealed class MqttOptions
{
    /// <summary>Publish to MQTT at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The vehicle bus gateway's broker, <c>mqtt://host:port</c> or <c>mqtts://host:port</c>; empty: the embedded broker.</summary>
    public string? Gateway { get; set; }

    /// <summary>Vehicle identification number, used in the default topic prefix and client id.</summary>
    public string Vin { get; set; } = "unknown";

    /// <summary>Topic prefix; default <c>vehicle/&lt;vin&gt;/voice/v1</c>.</summary>
    public string? TopicPrefix { get; set; }

    /// <summary>MQTT client id; default <c>stepaudio-&lt;vin&gt;</c>. Stable, so the broker keeps our session.</summary>
    public string? ClientId { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public GatewayTlsOptions Tls { get; set; } = new();

    public EmbeddedBrokerOptions EmbeddedBroker { get; set; } = new();

    /// <summary>SQLite outbox holding every message until the broker acknowledges it.</summary>
    public string OutboxPath { get; set; } = "/var/lib/stepaudio/mqtt-outbox.db";

    /// <summary>Most messages the outbox holds; past it the oldest QoS 0 go first, never an unexpired escalation.</summary>
    public int OutboxMaxMessages { get; set; } = 100_000;

    /// <summary>SQLite <c>synchronous</c>: <c>NORMAL</c> survives a process crash, <c>FULL</c> also a power cut (slower).</summary>
    public string OutboxSynchronous { get; set; } = "NORMAL";

    /// <summary>A command heard this long ago must not act any more (MQTT message expiry).</summary>
    public int IntentExpirySeconds { get; set; } = 30;

    /// <summary>An escalation is re-sent until acknowledged or this old.</summary>
    public int EscalationExpirySeconds { get; set; } = 600;

    /// <summary>An unacknowledged escalation is re-sent after this long.</summary>
    public int EscalationResendSeconds { get; set; } = 10;

    /// <summary>QoS 0 messages (speech, wake, emotion) older than this are not worth sending.</summary>
    public int Qos0ExpirySeconds { get; set; } = 10;

    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// At stop, how long the broker may take what is still queued before the rest is left in the outbox
    /// for the next start. Short on the head unit (inside systemd's stop timeout); the HIL rig waits longer,
    /// since what stays in a scenario's outbox never reaches its recording.
    /// </summary>
    public int StopDrainSeconds { get; set; } = 2;

    /// <summary>The broker keeps our session (subscriptions, queued control messages) this long after a disconnect.</summary>
    public uint SessionExpirySeconds { get; set; } = 3600;

    /// <summary>First reconnect delay; doubles per failure up to <see cref="ReconnectMaxMilliseconds"/>, with ±25 % jitter.</summary>
    public int ReconnectMinMilliseconds { get; set; } = 500;

    public int ReconnectMaxMilliseconds { get; set; } = 30_000;

    /// <summary>QoS 1 publishes awaiting PUBACK at once (in order on the wire).</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Largest control message accepted, in bytes.</summary>
    public int MaxControlBytes { get; set; } = 4096;

    /// <summary>Model name → version, sent as MQTT user properties <c>model.&lt;name&gt;</c>.</summary>
    public Dictionary<string, string> ModelVersions { get; set; } = [];

    public string EffectiveTopicPrefix => string.IsNullOrWhiteSpace(TopicPrefix) ? $"vehicle/{Vin}/voice/v1" : TopicPrefix.TrimEnd('/');

    public string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? $"stepaudio-{Vin}" : ClientId;

    /// <summary>Checks every setting; each failure names its key under <paramref name="section"/>.</summary>
    public List<string> Validate(string section = "StepAudio:Mqtt")
    {
        var failures = new List<string>();
        if (!Enabled) return failures;
        if (!string.IsNullOrWhiteSpace(Gateway) && !GatewayAddress.TryParse(Gateway, out _, out var problem))
            failures.Add($"{section}:Gateway: {problem}");
        if (string.IsNullOrWhiteSpace(Vin) || Vin.IndexOfAny(['/', '+', '#']) >= 0)
            failures.Add($"{section}:Vin: '{Vin}' is empty or holds a topic character (/ + #)");
        if (!string.IsNullOrWhiteSpace(TopicPrefix) && (TopicPrefix.IndexOfAny(['+', '#']) >= 0 || TopicPrefix.StartsWith('/')))
            failures.Add($"{section}:TopicPrefix: '{TopicPrefix}' must not hold wildcards or start with /");
        if (string.IsNullOrWhiteSpace(OutboxPath))
            failures.Add($"{section}:OutboxPath: required");
        if (OutboxMaxMessages < 100) failures.Add($"{section}:OutboxMaxMessages: {OutboxMaxMessages} is below 100");
        if (OutboxSynchronous is not ("NORMAL" or "FULL")) failures.Add($"{section}:OutboxSynchronous: '{OutboxSynchronous}' (use NORMAL or FULL)");
        if (IntentExpirySeconds < 1) failures.Add($"{section}:IntentExpirySeconds: must be at least 1");
        if (EscalationExpirySeconds < 1) failures.Add($"{section}:EscalationExpirySeconds: must be at least 1");
        if (EscalationResendSeconds < 1) failures.Add($"{section}:EscalationResendSeconds: must be at least 1");
        if (Qos0ExpirySeconds < 1) failures.Add($"{section}:Qos0ExpirySeconds: must be at least 1");
        if (StopDrainSeconds is < 0 or > 300) failures.Add($"{section}:StopDrainSeconds: must be 0..300");
        if (KeepAliveSeconds is < 1 or > 65535) failures.Add($"{section}:KeepAliveSeconds: must be 1..65535");
        if (ReconnectMinMilliseconds < 1 || ReconnectMaxMilliseconds < ReconnectMinMilliseconds)
            failures.Add($"{section}:ReconnectMinMilliseconds/ReconnectMaxMilliseconds: need 1 <= min <= max");
        if (MaxInFlight is < 1 or > 1000) failures.Add($"{section}:MaxInFlight: must be 1..1000");
        if (MaxControlBytes is < 64 or > 1 << 20) failures.Add($"{section}:MaxControlBytes: must be 64..1048576");
        failures.AddRange(Tls.Validate($"{section}:Tls"));
        if (EmbeddedBroker.Port is < 0 or > 65535) failures.Add($"{section}:EmbeddedBroker:Port: {EmbeddedBroker.Port} is not a port");
        return failures;
    }
}

/// <summary>TLS to the gateway: client certificate and the CA we trust (pinned), from files.</summary>
public sealed class GatewayTlsOptions
{
    /// <summary>Use TLS (also implied by an <c>mqtts://</c> gateway).</summary>
    public bool Enabled { get; set; }

    /// <summary>PEM file of the CA(s) that may sign the broker's certificate; the system store is not consulted.</summary>
    public string? CaFile { get; set; }

    /// <summary>Optional SHA-256 (hex) of the one CA certificate that must anchor the broker's chain.</summary>
    public string? PinnedCaSha256 { get; set; }

    /// <summary>PEM client certificate and its private key.</summary>
    public string? ClientCertFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>Name the broker's certificate must carry; default the gateway host.</summary>
    public string? ServerName { get; set; }

    public List<string> Validate(string section)
    {
        var failures = new List<string>();
        foreach (var (key, path) in new[] { ("CaFile", CaFile), ("ClientCertFile", ClientCertFile), ("ClientKeyFile", ClientKeyFile) })
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path)) failures.Add($"{section}:{key}: {path}: file not found");
        if (string.IsNullOrWhiteSpace(ClientCertFile) != string.IsNullOrWhiteSpace(ClientKeyFile))
            failures.Add($"{section}:ClientCertFile/ClientKeyFile: give both or neither");
        if (!string.IsNullOrWhiteSpace(PinnedCaSha256) && (PinnedCaSha256.Replace(":", "", StringComparison.Ordinal).Length != 64 || !PinnedCaSha256.Replace(":", "", StringComparison.Ordinal).All(Uri.IsHexDigit)))
            failures.Add($"{section}:PinnedCaSha256: not a SHA-256 in hex");
        return failures;
    }
}

/// <summary>The broker the service starts on localhost when no gateway is configured.</summary>
public sealed class EmbeddedBrokerOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Loopback port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 1883;
}
