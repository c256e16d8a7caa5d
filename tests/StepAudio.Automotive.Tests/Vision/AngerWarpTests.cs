using System.Globalization;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Vision;
using StepAudio.Automotive.Vision;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>The generated angry face, read by the real expression net (face-api's): 'angry' rises clearly on every demo photo's warped face and not on the neutral one.</summary>
public class AngerWarpTests(ITestOutputHelper output)
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };
    private const int Angry = 3; // ExpressionClassifier.Labels

    [Fact]
    public void TheExpressionNetReadsTheWarpedFacesAsAngry()
    {
        var store = TestModels.Store;
        List<SourceFace> perPhoto;
        // The most suitable face of each of the six photos.
        using (var detector = new TinyFaceDetector(TinyFaceDetector.RequireModel(store), Cpu))
        using (var landmarker = new FaceLandmarker(FaceLandmarker.RequireModel(store), Cpu))
            perPhoto = [.. CabinVideoGenerator.DemoPhotos.Select(p => SourceFace.LoadAll(store.Require(p), detector, landmarker).OrderBy(f => f.Unsuitability).First())];
        using var net = new ExpressionClassifier(ExpressionClassifier.RequireModel(store), Cpu);
        Assert.Equal(6, perPhoto.Count);
        var p = new float[7];
        var results = new List<(string Name, double Neutral, double Angry)>();
        foreach (var face in perPhoto)
        {
            var warp = new AngerWarp(face);
            var read = new double[3][];
            var intensities = new[] { 0, 0.5, 1 };
            for (var k = 0; k < intensities.Length; k++)
            {
                var (gray, landmarks) = warp.Render(face, intensities[k]);
                Assert.True(net.Classify(gray, face.Width, face.Height, 1, landmarks.AlignedBox(1), p));
                read[k] = [.. p.Select(v => (double)v)];
                if (Environment.GetEnvironmentVariable("HV_DUMP") is { } dump)
                    File.WriteAllBytes(Path.Combine(dump, $"{face.Name.Replace('#', '_')}-{k}.pgm"), [.. System.Text.Encoding.ASCII.GetBytes($"P5 {face.Width} {face.Height} 255\n"), .. gray]);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{face.Name} anger {intensities[k]:0.0}: {string.Join(", ", ExpressionClassifier.Labels.Select((l, i) => $"{l} {p[i]:0.000}"))}"));
            }
            results.Add((face.Name, read[0][Angry], read[2][Angry]));
        }
        foreach (var (name, neutral, angry) in results)
        {
            Assert.True(neutral < 0.2, $"{name}: neutral face read angry {neutral:0.000}");
            Assert.True(angry >= 0.5 && angry - neutral >= 0.4, $"{name}: warped face angry {angry:0.000} (neutral {neutral:0.000})");
        }
    }
}
