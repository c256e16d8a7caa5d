using System.Text.Json.Serialization;

namespace StepAudio.Automotive.Tools.Vision;

/// <summary>Source-generated JSON for <see cref="VisionScore"/> (the CLI is trimmed and AOT-published).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(VisionScore))]
public sealed partial class VisionScoreJson : JsonSerializerContext;
