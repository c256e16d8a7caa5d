namespace StepAudio.Automotive.Tests.Emotion;

/// <summary>
/// Tests that render and analyse tens of seconds of speech: run on their own, so their allocations
/// do not disturb the heap-growth checks of tests running in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyAudioCollection
{
    public const string Name = "Emotion heavy audio";
}
