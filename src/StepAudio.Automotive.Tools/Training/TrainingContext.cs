using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Tools.Training;

/// <summary>
/// What training and evaluation share: the cabins' responses and noise, the TTS, the real feature
/// models and the on-disk feature cache (<c>&lt;model cache&gt;/training-features</c>).
/// </summary>
public sealed class TrainingContext : IDisposable
{
    private readonly EmbeddingExtractor _extractor;

    public TrainingContext(IReadOnlyList<string> cabinPaths, ModelStore store, int seed, TextWriter log)
    {
        Cabins = cabinPaths.Select(CabinProfileReader.Load).ToList();
        Acoustics = new CabinAcoustics(Cabins, seed);
        log.WriteLine($"cabins: {string.Join(", ", Cabins.Select(c => c.Name))} ({Acoustics.SeatResponses} seat responses)");
        _extractor = new EmbeddingExtractor(store);
        CacheDirectory = Path.Combine(store.CacheDirectory, "training-features");
        var tts = new TextToSpeech(Path.Combine(store.CacheDirectory, "training-tts"));
        Renderer = new ClipRenderer(tts, Acoustics);
        Features = new FeatureCache(CacheDirectory, Renderer, _extractor);
        Log = log;
    }

    public IReadOnlyList<CabinProfile> Cabins { get; }

    public CabinAcoustics Acoustics { get; }

    public FeatureCache Features { get; }

    /// <summary>Renders clips to audio (for what reads audio, not embeddings: the transcriber).</summary>
    public ClipRenderer Renderer { get; }

    public string CacheDirectory { get; }

    public TextWriter Log { get; }

    /// <summary>Renders and embeds every clip (cached), logging progress.</summary>
    public List<ClipFeatures> Embed(IReadOnlyList<ClipSpec> specs, string what)
    {
        var result = new List<ClipFeatures>(specs.Count);
        var started = DateTime.UtcNow;
        for (var i = 0; i < specs.Count; i++)
        {
            result.Add(Features.Get(specs[i]));
            if ((i + 1) % 250 == 0 || i + 1 == specs.Count)
                Log.WriteLine($"{what}: {i + 1}/{specs.Count} clips embedded ({Features.Misses} rendered, {Features.Hits} cached, {(DateTime.UtcNow - started).TotalSeconds:0} s)");
        }
        return result;
    }

    /// <summary>Embeds the plans and cuts their labelled windows; every seventh clip goes to validation (a copy with its original).</summary>
    public (TrainingSet Train, TrainingSet Validation) Build(IReadOnlyList<ClipPlan> plans, int classes, string what)
    {
        var features = Embed(plans.Select(p => p.Spec).ToList(), what);
        var train = (Clips: new List<ClipFeatures>(), Windows: new List<LabelledWindow>());
        var val = (Clips: new List<ClipFeatures>(), Windows: new List<LabelledWindow>());
        for (var i = 0; i < plans.Count; i++)
        {
            var target = (plans[i].SplitOf ?? i) % 7 == 3 ? val : train;
            target.Windows.AddRange(plans[i].Windows(target.Clips.Count, features[i]));
            target.Clips.Add(features[i]);
        }
        return (new TrainingSet(train.Clips, train.Windows, classes), new TrainingSet(val.Clips, val.Windows, classes));
    }

    public void Dispose() => _extractor.Dispose();
}
