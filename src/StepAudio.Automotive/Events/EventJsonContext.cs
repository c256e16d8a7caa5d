using System.Text.Json.Serialization;

namespace StepAudio.Automotive.Events;

/// <summary>Source-generated serialisation of the event contract: no reflection, trim- and AOT-safe.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = false)]
[JsonSerializable(typeof(CabinEvent))]
public sealed partial class EventJsonContext : JsonSerializerContext;
