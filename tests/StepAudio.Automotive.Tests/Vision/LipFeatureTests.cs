using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Onnx;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>Lip features, the visual speech detector, mouth crops and the lip-reading encoder plug-in, on constructed input.</summary>
public class LipFeatureTests
{
    /// <summary>A schematic frontal face: eyes 60 px apart around (100, 100), lips around (100, 160), mouth opened by <paramref name="gap"/> px.</summary>
    private static FaceLandmarks Face(double gap, double dx = 0, double dy = 0, double scale = 1, double rollDegrees = 0)
    {
        var lm = new FaceLandmarks();
        var pts = new (double X, double Y)[FaceLandmarks.Count];
        for (var i = 0; i < 36; i++) pts[i] = (100 + (40 * Math.Cos(i * 0.2)), 120 + (60 * Math.Sin(i * 0.2)));
        for (var i = 0; i < 6; i++)
        {
            pts[36 + i] = (70 + (8 * Math.Cos(i * Math.PI / 3)), 100 + (3 * Math.Sin(i * Math.PI / 3)));
            pts[42 + i] = (130 + (8 * Math.Cos(i * Math.PI / 3)), 100 + (3 * Math.Sin(i * Math.PI / 3)));
        }
        // Outer lips 48–59 round an ellipse; inner 60–64 upper, 65–67 lower (the lower ones and 55–59 drop by the gap).
        for (var i = 0; i < 12; i++)
        {
            var a = Math.PI - (i * Math.PI / 6);
            pts[48 + i] = (100 + (25 * Math.Cos(a)), 160 - (8 * Math.Sin(a)) + (i is >= 7 and <= 11 ? gap : 0));
        }
        pts[60] = (80, 160);
        pts[61] = (92, 158);
        pts[62] = (100, 158);
        pts[63] = (108, 158);
        pts[64] = (120, 160);
        pts[65] = (108, 162 + gap);
        pts[66] = (100, 162 + gap);
        pts[67] = (92, 162 + gap);
        var (c, s) = (Math.Cos(rollDegrees * Math.PI / 180), Math.Sin(rollDegrees * Math.PI / 180));
        for (var i = 0; i < FaceLandmarks.Count; i++)
        {
            double x = pts[i].X - 100, y = pts[i].Y - 130;
            lm.Set(i, 100 + dx + (scale * ((c * x) - (s * y))), 130 + dy + (scale * ((s * x) + (c * y))));
        }
        return lm;
    }

    [Fact]
    public void OpeningIsMeasuredInEyeDistancesWhateverTheHeadDoes()
    {
        var still = new LipFeatureExtractor().Measure(Face(12));
        Assert.Equal(16.0 / 60, still.MouthOpening, 3);
        var moved = new LipFeatureExtractor();
        moved.Measure(Face(12));
        var f = moved.Measure(Face(12, dx: 25, dy: -10, scale: 1.3, rollDegrees: 12));
        Assert.Equal(still.MouthOpening, f.MouthOpening, 6);
        Assert.Equal(still.MouthWidth, f.MouthWidth, 6);
        Assert.True(f.MotionEnergy < 1e-9, $"head motion counted as lip motion: {f.MotionEnergy}");
    }

    [Fact]
    public void OpeningTheMouthIsLipMotion()
    {
        var lips = new LipFeatureExtractor();
        Assert.Equal(0, lips.Measure(Face(0)).MotionEnergy);
        var open = lips.Measure(Face(12));
        Assert.True(open.MotionEnergy > 0.05, $"energy {open.MotionEnergy}");
        Assert.True(open.OuterOpening > lips.Measure(Face(0)).OuterOpening);
        lips.Reset();
        Assert.Equal(0, lips.Measure(Face(12)).MotionEnergy);
    }

    /// <summary>Feeds a seat's opening sequence at 30 fps, with seeded landmark jitter; returns the detector after each frame.</summary>
    private static List<(double Time, double P)> Run(Func<double, double> opening, double seconds, double jitter = 0.005, int seed = 1)
    {
        var rng = new Random(seed);
        var vsd = new VisualSpeechDetector();
        var result = new List<(double, double)>();
        for (var f = 0; f < seconds * 30; f++)
        {
            var t = f / 30.0;
            vsd.Add(t, new LipFeatures(opening(t) + (jitter * ((2 * rng.NextDouble()) - 1)), 0, 0.6, 0));
            Assert.Equal(t - 0.2, vsd.DecisionTime, 9);
            result.Add((vsd.DecisionTime, vsd.Probability));
        }
        return result;
    }

    [Fact]
    public void ALipSyllableRhythmIsSpeechAndAStillMouthIsNot()
    {
        // Silent 3 s, then 4 syllables a second opening up to 0.15 eye distances, then silent again.
        static double Talk(double t) => t is >= 3 and < 6 ? 0.075 * (1 - Math.Cos(2 * Math.PI * 4 * t)) : 0.02;
        var p = Run(Talk, 9);
        Assert.All(p.Where(x => x.Time is > 0.5 and < 2.7), x => Assert.True(x.P < 0.5, $"silence at {x.Time:0.00} s: {x.P:0.00}"));
        Assert.All(p.Where(x => x.Time is > 3.3 and < 5.7), x => Assert.True(x.P > 0.5, $"speech at {x.Time:0.00} s: {x.P:0.00}"));
        Assert.All(p.Where(x => x.Time is > 6.3), x => Assert.True(x.P < 0.5, $"silence at {x.Time:0.00} s: {x.P:0.00}"));
    }

    [Fact]
    public void ASmileHeldOpenIsNotSpeech()
    {
        var p = Run(t => t < 2 ? 0.02 : 0.2, 5);
        Assert.All(p.Where(x => x.Time is > 2.5), x => Assert.True(x.P < 0.5, $"held smile at {x.Time:0.00} s: {x.P:0.00}"));
    }

    [Fact]
    public void WithoutAFaceThereIsNoDecision()
    {
        var vsd = new VisualSpeechDetector();
        for (var f = 0; f < 30; f++) vsd.Add(f / 30.0, new LipFeatures(0.02, 0, 0.6, 0));
        Assert.False(double.IsNaN(vsd.Probability));
        vsd.Add(1, null);
        Assert.True(double.IsNaN(vsd.Probability));
        vsd.Add(1 + (1 / 30.0), new LipFeatures(0.02, 0, 0.6, 0));
        Assert.True(double.IsNaN(vsd.Probability), "a window must fill again after the face was lost");
    }

    [Fact]
    public void MouthCropsAreCentredOnTheLipsAndComeOutOldestFirst()
    {
        const int w = 320, h = 240;
        var crops = new MouthCropSequence(frames: 3, size: 88);
        var face = Face(0, dx: 60, dy: 20); // lips centred near (160, 180)
        var (mx, my) = face.Centre(48, 68);
        for (var k = 0; k < 4; k++)
        {
            var luma = new byte[w * h];
            Array.Fill(luma, (byte)(50 * k));
            // A bright square on the mouth centre.
            for (var y = (int)my - 3; y <= (int)my + 3; y++)
                for (var x = (int)mx - 3; x <= (int)mx + 3; x++) luma[(y * w) + x] = 255;
            crops.Add(luma, w, h, face);
        }
        Assert.Equal(255, crops.Latest[(44 * 88) + 44]);
        Assert.Equal(150, crops.Latest[0]);
        var tensor = new float[3 * 88 * 88];
        crops.CopyTo(tensor, 0, 1);
        // Four frames into a window of three: the oldest kept is frame 1 (level 50).
        Assert.Equal(50 / 255f, tensor[0], 5);
        Assert.Equal(100 / 255f, tensor[88 * 88], 5);
        Assert.Equal(150 / 255f, tensor[2 * 88 * 88], 5);
        crops.Repeat();
        Assert.Equal(150, crops.Latest[0]);
    }

    /// <summary>A stand-in front end written with the project's ONNX writer: a 1×1×1 3-D convolution (× 2) and the mean over time and space.</summary>
    private static string TinyEncoder(int frames, int size)
    {
        var g = new Tools.Onnx.OnnxGraph("tiny_lip_encoder");
        var x = g.Input("video", 1, 1, frames, size, size);
        x = g.Node("Conv", [x, g.Initializer("w", [1, 1, 1, 1, 1], [2f])], attributes: [("kernel_shape", new long[] { 1, 1, 1 })]);
        g.Node("ReduceMean", [x], "features", [("axes", new long[] { 2, 3, 4 }), ("keepdims", 0L)]);
        g.Output("features", 1, 1);
        var path = Path.Combine(TestPaths.NewTempDir(), "encoder.onnx");
        g.Save(path);
        return path;
    }

    [Fact]
    public void ALipReadingEncoderSeesTheNormalisedCropSequence()
    {
        var crops = new MouthCropSequence(frames: 5, size: 88);
        const int w = 200, h = 200;
        var luma = new byte[w * h];
        Array.Fill(luma, (byte)102);
        for (var k = 0; k < 5; k++) crops.Add(luma, w, h, Face(0));
        using var encoder = new LipReadingEncoder(new LipReadingEncoderOptions { Model = TinyEncoder(5, 88), Frames = 5 }, new InferenceOptions { Providers = [InferenceOptions.Cpu] });
        Assert.Equal([1L, 1L], encoder.OutputShape);
        var features = encoder.Encode(crops);
        Assert.Equal(2 * ((102 / 255f) - 0.421f) / 0.165f, features[0], 4);
    }

    [Fact]
    public void AnEncoderWithAnotherInputNameIsABadInputNamingIt()
    {
        var e = Assert.Throws<InvalidInputException>(() => new LipReadingEncoder(
            new LipReadingEncoderOptions { Model = TinyEncoder(5, 88), Frames = 5, InputName = "frames" }, new InferenceOptions { Providers = [InferenceOptions.Cpu] }));
        Assert.Contains("'frames'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASequenceOfTheWrongLengthIsRefused()
    {
        using var encoder = new LipReadingEncoder(new LipReadingEncoderOptions { Model = TinyEncoder(5, 88), Frames = 5 }, new InferenceOptions { Providers = [InferenceOptions.Cpu] });
        Assert.Throws<ArgumentException>(() => encoder.Encode(new MouthCropSequence(frames: 29)));
    }
}
