using System.Text.Json;
using System.Text.Json.Serialization;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>Source-generated JSON for the rig's files, so the service stays trimmable (Native AOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HilTruth))]
[JsonSerializable(typeof(HilThresholds))]
[JsonSerializable(typeof(HilServiceConfig))]
public sealed partial class HilJsonContext : JsonSerializerContext;

/// <summary>The configuration file <c>hil run</c> hands the service for one scenario.</summary>
public sealed record HilServiceConfig(
    [property: JsonPropertyName("StepAudio")] HilServiceSettings StepAudio);

public sealed record HilServiceSettings(
    [property: JsonPropertyName("CabinProfile")] string CabinProfile,
    [property: JsonPropertyName("EventsPath")] string EventsPath,
    [property: JsonPropertyName("Audio")] HilServiceAudio Audio,
    [property: JsonPropertyName("Mqtt")] HilServiceMqtt Mqtt,
    [property: JsonPropertyName("Video")] HilServiceVideo? Video = null);

/// <summary>The scenario's camera recording (<c>StepAudio:Video</c>), when it has one: the service runs its vision stage on it.</summary>
public sealed record HilServiceVideo(
    [property: JsonPropertyName("Source")] string Source,
    [property: JsonPropertyName("Path")] string Path);

public sealed record HilServiceAudio(
    [property: JsonPropertyName("Source")] string Source,
    [property: JsonPropertyName("Path")] string Path,
    [property: JsonPropertyName("Realtime")] bool Realtime,
    [property: JsonPropertyName("EchoReferences")] int EchoReferences,
    [property: JsonPropertyName("EchoStatePath"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EchoStatePath = null);

public sealed record HilServiceMqtt(
    [property: JsonPropertyName("Gateway")] string Gateway,
    [property: JsonPropertyName("Vin")] string Vin,
    [property: JsonPropertyName("OutboxPath")] string OutboxPath,
    [property: JsonPropertyName("StopDrainSeconds")] int StopDrainSeconds,
    [property: JsonPropertyName("Qos0ExpirySeconds")] int Qos0ExpirySeconds);
