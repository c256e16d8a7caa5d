using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Tools.Simulation;
using StepAudio.Automotive.Tools.Vision;

namespace StepAudio.Automotive.Tools.Hil;

/// <summary>
/// The camera recording of a HIL scenario (<c>hil generate --video</c>): the profile's IR camera at 30 fps
/// with a face in every seat region, each mouth moving over that seat's own utterances of the rendered scene,
/// written next to the audio as <see cref="AvScenarioGenerator.VideoFile"/>, which <c>hil run</c> hands the service.
/// </summary>
public static class HilVideo
{
    /// <summary>
    /// Writes the video for scenario <paramref name="index"/>: faces taken in turn from the <paramref name="index"/>-th
    /// (so the seats' people change from scenario to scenario), seeded by <paramref name="seed"/> and the index.
    /// </summary>
    public static void Write(CabinProfile profile, string profilePath, IReadOnlyList<SourceFace> faces, SceneRender render, double duration, int index, int seed, string directory, IReadOnlyDictionary<string, AngerRamp>? anger = null)
    {
        var camera = profile.Camera ?? throw new InvalidInputException(profilePath, "the profile has no camera section for --video");
        var videoSeed = unchecked((seed * 1_000_003) + (index * 101) + 17);
        var seats = CabinVideoGenerator.SceneSeats(camera, faces, index, render.Utterances, duration, videoSeed, anger);
        new CabinVideoGenerator(camera, seats, 30, videoSeed).Write(Path.Combine(directory, AvScenarioGenerator.VideoFile), Path.Combine(directory, AvScenarioGenerator.VideoTruthFile), duration);
    }
}
