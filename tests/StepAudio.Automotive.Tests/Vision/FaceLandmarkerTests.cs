using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Onnx;
using StepAudio.Automotive.Vision;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>The converted landmark and expression nets against face-api itself, on face-api's own demo photos, fed face-api's boxes.</summary>
[Collection(FaceApiReference.Collection)]
public class FaceLandmarkerTests(FaceApiReference reference, ITestOutputHelper output)
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    private string Landmarks()
    {
        var onnx = Path.Combine(TestPaths.NewTempDir(), FaceLandmarker.OnnxFileName);
        FaceFeatureNetConverter.ConvertLandmarks(Path.Combine(Path.GetDirectoryName(reference.WeightsManifest)!, "face_landmark_68_tiny_model-weights_manifest.json"), onnx);
        return onnx;
    }

    private string Expressions()
    {
        var onnx = Path.Combine(TestPaths.NewTempDir(), ExpressionClassifier.OnnxFileName);
        FaceFeatureNetConverter.ConvertExpressions(Path.Combine(Path.GetDirectoryName(reference.WeightsManifest)!, "face_expression_model-weights_manifest.json"), onnx);
        return onnx;
    }

    public static TheoryData<string> Photos => new(FaceApiReference.Photos);

    [Theory]
    [MemberData(nameof(Photos))]
    public void PlacesTheSame68LandmarksAsFaceApiWithinOneAndAHalfPixels(string photo)
    {
        var (width, height, rgb, _) = reference.Images[photo];
        using var landmarker = new FaceLandmarker(Landmarks(), Cpu);
        var got = new FaceLandmarks();
        var worst = 0.0;
        Assert.NotEmpty(reference.Faces[photo]);
        foreach (var face in reference.Faces[photo])
        {
            Assert.True(landmarker.Locate(rgb, width, height, 3, face.Box, got));
            for (var i = 0; i < FaceLandmarks.Count; i++)
            {
                var d = Math.Max(Math.Abs(got.X(i) - face.Landmarks[2 * i]), Math.Abs(got.Y(i) - face.Landmarks[(2 * i) + 1]));
                worst = Math.Max(worst, d);
                Assert.True(d <= 1.5, $"{photo} point {i}: face-api ({face.Landmarks[2 * i]:0.00}, {face.Landmarks[(2 * i) + 1]:0.00}), ONNX ({got.X(i):0.00}, {got.Y(i):0.00})");
            }
            var aligned = got.AlignedBox(face.Box.Score);
            Assert.True(Math.Abs(aligned.X - face.Aligned.X) <= 2 && Math.Abs(aligned.Y - face.Aligned.Y) <= 2 && Math.Abs(aligned.Width - face.Aligned.Width) <= 2 && Math.Abs(aligned.Height - face.Aligned.Height) <= 2,
                $"{photo}: face-api aligned box {face.Aligned}, ours {aligned}");
        }
        output.WriteLine($"{photo}: {reference.Faces[photo].Count} face(s), largest landmark difference from face-api {worst:0.000} px");
    }

    [Theory]
    [MemberData(nameof(Photos))]
    public void GivesTheSameExpressionProbabilitiesAsFaceApiWithinTwoHundredths(string photo)
    {
        var (width, height, rgb, _) = reference.Images[photo];
        using var classifier = new ExpressionClassifier(Expressions(), Cpu);
        var p = new float[ExpressionClassifier.Labels.Length];
        var worst = 0.0;
        Assert.NotEmpty(reference.Faces[photo]);
        foreach (var face in reference.Faces[photo])
        {
            Assert.True(classifier.Classify(rgb, width, height, 3, face.Aligned, p));
            Assert.Equal(1.0, p.Sum(), 1e-4);
            for (var k = 0; k < p.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(p[k] - face.Expressions[k]));
                Assert.True(Math.Abs(p[k] - face.Expressions[k]) <= 0.02, $"{photo} {ExpressionClassifier.Labels[k]}: face-api {face.Expressions[k]:0.0000}, ONNX {p[k]:0.0000}");
            }
        }
        output.WriteLine($"{photo}: largest expression probability difference from face-api {worst:0.0000}");
    }

    [Fact]
    public void LandmarksOnAGrayFrameStayWithinFivePercentOfTheEyeDistance()
    {
        var (width, height, rgb, _) = reference.Images["sample2"];
        var face = reference.Faces["sample2"][0];
        var luma = new byte[width * height];
        for (var i = 0; i < luma.Length; i++)
            luma[i] = (byte)Math.Round((0.299 * rgb[3 * i]) + (0.587 * rgb[(3 * i) + 1]) + (0.114 * rgb[(3 * i) + 2]));
        using var landmarker = new FaceLandmarker(Landmarks(), Cpu);
        var got = new FaceLandmarks();
        Assert.True(landmarker.Locate(luma, width, height, 1, face.Box, got));
        var iod = got.InterOcularDistance();
        var mean = Enumerable.Range(0, FaceLandmarks.Count).Average(i => Math.Sqrt(Math.Pow(got.X(i) - face.Landmarks[2 * i], 2) + Math.Pow(got.Y(i) - face.Landmarks[(2 * i) + 1], 2)));
        Assert.True(mean / iod < 0.05, $"mean gray-vs-colour landmark error {mean:0.00} px = {mean / iod:P1} of {iod:0.0} px");
    }

    [Fact]
    public void ABoxOutsideTheImageFindsNothing()
    {
        var (width, height, rgb, _) = reference.Images["sample1"];
        using var landmarker = new FaceLandmarker(Landmarks(), Cpu);
        Assert.False(landmarker.Locate(rgb, width, height, 3, new FaceBox(width + 10, 0, 50, 50, 1), new FaceLandmarks()));
    }

    [Fact]
    public void ConversionsAreDeterministic()
    {
        Assert.Equal(File.ReadAllBytes(Landmarks()), File.ReadAllBytes(Landmarks()));
        Assert.Equal(File.ReadAllBytes(Expressions()), File.ReadAllBytes(Expressions()));
    }
}
