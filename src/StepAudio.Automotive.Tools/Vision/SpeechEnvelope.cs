namespace StepAudio.Automotive.Tools.Vision;

/// <summary>
/// A talker's mouth-opening envelope, seeded: talk spurts of 1.2–3.5 s separated by 1–3.5 s of silence, and
/// inside a spurt syllables at 3–6 per second whose openings (raised-cosine pulses, 0.45–1 of the full
/// opening) leave the lips briefly closed between them, as speech does. <see cref="Speaking"/> is the truth
/// the visual speech detector is scored against: inside a spurt.
/// </summary>
public sealed class SpeechEnvelope
{
    private readonly List<(double Start, double End)> _spurts = [];
    private readonly List<(double Start, double Length, double Height)> _syllables = [];

    public SpeechEnvelope(double duration, int seed, double firstSpurt = 0.8)
    {
        var rng = new Random(seed);
        var t = firstSpurt;
        while (t < duration)
        {
            var end = Math.Min(duration, t + 1.2 + (2.3 * rng.NextDouble()));
            AddSpurt(t, end, rng);
            t = end + 1 + (2.5 * rng.NextDouble());
        }
        Duration = duration;
    }

    /// <summary>The mouth of a talker whose speech is known (e.g. the utterances of a rendered cabin scene): seeded syllables inside each spurt.</summary>
    public SpeechEnvelope(double duration, int seed, IEnumerable<(double Start, double End)> spurts)
    {
        var rng = new Random(seed);
        foreach (var (start, end) in spurts.OrderBy(s => s.Start)) AddSpurt(start, Math.Min(duration, end), rng);
        Duration = duration;
    }

    private void AddSpurt(double start, double end, Random rng)
    {
        _spurts.Add((start, end));
        var s = start;
        while (s < end - 0.1)
        {
            var length = Math.Min(1 / (3 + (3 * rng.NextDouble())), end - s);
            _syllables.Add((s, length, 0.45 + (0.55 * rng.NextDouble())));
            s += length;
        }
    }

    /// <summary>Always closed: a seat whose occupant does not talk.</summary>
    public static SpeechEnvelope Silent(double duration) => new(duration, 0, firstSpurt: double.PositiveInfinity);

    public double Duration { get; }

    public IReadOnlyList<(double Start, double End)> Spurts => _spurts;

    public bool Speaking(double t) => _spurts.Any(s => t >= s.Start && t < s.End);

    /// <summary>Mouth opening 0 (closed) … 1 (fully open) at time <paramref name="t"/>.</summary>
    public double Opening(double t)
    {
        foreach (var (start, length, height) in _syllables)
        {
            if (t < start || t >= start + length) continue;
            var u = (t - start) / length;
            return height * 0.5 * (1 - Math.Cos(2 * Math.PI * u));
        }
        return 0;
    }
}
