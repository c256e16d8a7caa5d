using System.Text.Json;
using Json.Schema;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// The JSON Schemas of every payload (Schemas/*.schema.json, embedded): the published contract for
/// integrators, and what every inbound control message is checked against.
/// </summary>
public static class PayloadSchemas
{
    public static readonly IReadOnlyList<string> Outbound = ["intent", "wake", "speech", "emotion", "visual-speech", "escalation", "status", "control-response"];

    public static readonly IReadOnlyList<string> Inbound = ["escalation-ack", "control-mute", "control-occupancy", "control-playback", "control-config"];

    private static readonly Lazy<Dictionary<string, JsonSchema>> All = new(Load);

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    /// <summary>The schema file's text, as committed.</summary>
    public static string Text(string name)
    {
        using var stream = typeof(PayloadSchemas).Assembly.GetManifestResourceStream($"Schemas.{name}.schema.json")
            ?? throw new ArgumentException($"no schema '{name}'", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Null when <paramref name="payload"/> is valid, else the first problem: where and what.</summary>
    public static string? Check(string name, JsonElement payload)
    {
        var result = All.Value[name].Evaluate(payload, Evaluation);
        if (result.IsValid) return null;
        foreach (var detail in result.Details ?? [])
        {
            if (detail.Errors is not { Count: > 0 } errors) continue;
            var where = detail.InstanceLocation.ToString();
            var what = errors.First().Value;
            // "additionalProperties": false reports as a false schema; say what it means.
            if (what.Contains("false schema", StringComparison.Ordinal)) what = "not an allowed property";
            return $"{(where.Length == 0 ? "/" : where)}: {what}";
        }
        return result.Errors is { Count: > 0 } top ? $"/: {top.First().Value}" : "/: does not match the schema";
    }

    private static Dictionary<string, JsonSchema> Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return Outbound.Concat(Inbound).ToDictionary(n => n, n => JsonSchema.FromText(Text(n), options));
    }
}
