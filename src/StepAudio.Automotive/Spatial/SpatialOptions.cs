namespace StepAudio.Automotive.Spatial;

/// <summary>Which beamformer makes the per-zone streams.</summary>
public enum BeamformerKind
{
    Mvdr,
    DelayAndSum,
}

/// <summary>Settings of the spatial front end (config section <c>StepAudio:Spatial</c>).</summary>
public sealed record SpatialOptions
{
    public BeamformerKind Beamformer { get; init; } = BeamformerKind.Mvdr;

    /// <summary>Lowest frequency used for localization: below it a small array sees no phase difference.</summary>
    public double BandLowHz { get; init; } = 300;

    /// <summary>Highest frequency used for localization: speech energy falls off, and spatial aliasing sets in.</summary>
    public double BandHighHz { get; init; } = 3500;

    /// <summary>Reads a beamformer name from configuration: <c>mvdr</c> or <c>das</c> (delay-and-sum).</summary>
    public static BeamformerKind ParseBeamformer(string value, string source) => value.ToLowerInvariant() switch
    {
        "mvdr" => BeamformerKind.Mvdr,
        "das" or "delay-and-sum" => BeamformerKind.DelayAndSum,
        _ => throw new InvalidInputException(source, $"'{value}' is not a beamformer (use mvdr or das)"),
    };
}
