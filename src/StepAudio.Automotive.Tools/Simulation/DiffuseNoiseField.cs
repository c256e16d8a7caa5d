using StepAudio.Automotive.Cabin;

namespace StepAudio.Automotive.Tools.Simulation;

/// <summary>
/// Road and fan noise as a diffuse field: many mutually uncorrelated noise sources spread over the
/// cabin's walls (2 cm inside them), each radiating low-frequency heavy noise through the room.
/// Between microphones the result is coherent at low frequencies and incoherent at high ones, as a
/// real diffuse field is. Deterministic for a given seed.
/// </summary>
public static class DiffuseNoiseField
{
    public const int DefaultSources = 32;
    private const double WallInset = 0.02;

    /// <summary>Source positions, spread over the six faces in proportion to their area.</summary>
    public static Point3[] SourcePositions(Point3 min, Point3 max, int count, int seed)
    {
        var rng = new Random(seed);
        var lo = min + new Point3(WallInset, WallInset, WallInset);
        var hi = max - new Point3(WallInset, WallInset, WallInset);
        var size = hi - lo;
        double ax = size.Y * size.Z, ay = size.X * size.Z, az = size.X * size.Y;
        var total = 2 * (ax + ay + az);
        var points = new Point3[count];
        for (var k = 0; k < count; k++)
        {
            var pick = rng.NextDouble() * total;
            var side = rng.Next(2);
            double u = rng.NextDouble(), v = rng.NextDouble();
            points[k] = pick < 2 * ax
                ? new Point3(side == 0 ? lo.X : hi.X, lo.Y + (u * size.Y), lo.Z + (v * size.Z))
                : pick < 2 * (ax + ay)
                    ? new Point3(lo.X + (u * size.X), side == 0 ? lo.Y : hi.Y, lo.Z + (v * size.Z))
                    : new Point3(lo.X + (u * size.X), lo.Y + (v * size.Y), side == 0 ? lo.Z : hi.Z);
        }
        return points;
    }

    /// <summary>
    /// Renders the field at <paramref name="mics"/>: <paramref name="frames"/> samples per microphone,
    /// unnormalised (the caller scales it to the wanted SNR).
    /// </summary>
    public static float[][] Render(ImageSourceRoom room, Point3 min, Point3 max, IReadOnlyList<Point3> mics, int frames, int sources, int seed)
    {
        var outputs = new float[mics.Count][];
        for (var m = 0; m < mics.Count; m++) outputs[m] = new float[frames];
        var positions = SourcePositions(min, max, sources, seed);
        var signals = new float[positions.Length][];
        for (var k = 0; k < positions.Length; k++)
        {
            signals[k] = new float[frames];
            ColouredNoise(signals[k], seed + (7919 * (k + 1)));
        }
        new FftConvolver(positions.Select(p => (IReadOnlyList<float[]>)room.ImpulseResponses(p, mics)).ToArray()).AddTo(signals, outputs, 0);
        return outputs;
    }

    /// <summary>
    /// Gaussian noise with a cabin road-noise tilt: pink (-3 dB/octave), plus a one-pole low-pass at
    /// 200 Hz that adds the brown (-6 dB/octave) hump of tyre and engine noise; about 25 dB less
    /// energy density at 2 kHz than at 100 Hz.
    /// </summary>
    public static void ColouredNoise(Span<float> output, int seed)
    {
        var rng = new Random(seed);
        // Paul Kellet's pink filter (economy version), then the low-pass blend.
        double b0 = 0, b1 = 0, b2 = 0, lp = 0;
        var a = Math.Exp(-2 * Math.PI * 200.0 / CabinProfile.PipelineSampleRate);
        for (var i = 0; i < output.Length; i++)
        {
            var white = Gaussian(rng);
            b0 = (0.99765 * b0) + (white * 0.0990460);
            b1 = (0.96300 * b1) + (white * 0.2965164);
            b2 = (0.57000 * b2) + (white * 1.0526913);
            var pink = b0 + b1 + b2 + (white * 0.1848);
            lp = (a * lp) + ((1 - a) * pink);
            output[i] = (float)(lp + (0.2 * pink));
        }
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
