using System.Security.Cryptography;
using System.Text;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// A clip's embeddings (steps <see cref="EmbeddingExtractor.FirstStep"/>.. of the clip, 96 each) and the
/// samples at which its target part starts and ends.
/// </summary>
public sealed record ClipFeatures(float[] Embeddings, int TargetStart, int TargetEnd, bool HasTarget)
{
    /// <summary>The step during which the target part starts.</summary>
    public int TargetStartStep => EmbeddingExtractor.StepOf(TargetStart);

    /// <summary>The step at whose end the target part has been heard completely.</summary>
    public int TargetEndStep => EmbeddingExtractor.StepOf(Math.Max(TargetStart, TargetEnd - 1));

    public int Steps => EmbeddingExtractor.FirstStep + (Embeddings.Length / Speech.SpeechEmbedder.Size);

    /// <summary>
    /// Copies the <paramref name="length"/> embeddings ending at <paramref name="endStep"/> into
    /// <paramref name="window"/>, oldest first; steps before the first computed one repeat it (the
    /// clip's lead is steady noise).
    /// </summary>
    public void Window(int endStep, int length, Span<float> window)
    {
        const int d = Speech.SpeechEmbedder.Size;
        var last = (Embeddings.Length / d) - 1;
        for (var t = 0; t < length; t++)
        {
            var row = Math.Clamp(endStep - length + 1 + t - EmbeddingExtractor.FirstStep, 0, last);
            Embeddings.AsSpan(row * d, d).CopyTo(window.Slice(t * d, d));
        }
    }
}

/// <summary>
/// Renders and embeds clips once: features are stored per clip under the cache directory, keyed by
/// the clip's spec, so retraining or re-evaluating reuses them.
/// </summary>
public sealed class FeatureCache(string directory, ClipRenderer renderer, EmbeddingExtractor extractor)
{
    /// <summary>Bump when rendering or features change, so stale cache entries are not reused.</summary>
    private const string Version = "v1";

    public int Hits { get; private set; }

    public int Misses { get; private set; }

    /// <param name="rendered">The clip already rendered from <paramref name="spec"/>, if the caller has it: a miss embeds it instead of rendering again.</param>
    public ClipFeatures Get(ClipSpec spec, RenderedClip? rendered = null)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Version + "#" + spec.Key)))[..32];
        var path = Path.Combine(directory, hash[..2], hash + ".emb");
        if (File.Exists(path))
        {
            Hits++;
            return Read(path);
        }
        Misses++;
        var clip = rendered ?? renderer.Render(spec);
        var features = new ClipFeatures(extractor.Compute(clip.Audio), clip.TargetStart, clip.TargetEnd, spec.Texts.Count > 0);
        Write(path, features);
        return features;
    }

    private static ClipFeatures Read(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var start = r.ReadInt32();
        var end = r.ReadInt32();
        var has = r.ReadBoolean();
        var n = r.ReadInt32();
        var values = new float[n];
        r.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return new ClipFeatures(values, start, end, has);
    }

    private static void Write(string path, ClipFeatures f)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        using (var w = new BinaryWriter(File.Create(temp)))
        {
            w.Write(f.TargetStart);
            w.Write(f.TargetEnd);
            w.Write(f.HasTarget);
            w.Write(f.Embeddings.Length);
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.Embeddings.AsSpan()));
        }
        File.Move(temp, path, overwrite: true);
    }
}
