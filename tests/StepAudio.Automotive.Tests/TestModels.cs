using StepAudio.Automotive.Inference;

namespace StepAudio.Automotive.Tests;

/// <summary>
/// The pinned models, found exactly as the CLI finds them (<see cref="ModelStore.ResolveCacheDirectory"/>).
/// A missing or corrupt model fails the test with a message saying to run <c>stepaudio models fetch</c>.
/// </summary>
internal static class TestModels
{
    public static ModelStore Store { get; } = ModelStore.Default();

    public static string Path(string id) => Store.Require(id);

    public static string Vad => Path("silero_vad_v5");

    public static string Melspectrogram => Path("melspectrogram");

    public static string Embedding => Path("embedding_model");

    public static string HeyJarvis => Path("hey_jarvis_v0.1");
}
