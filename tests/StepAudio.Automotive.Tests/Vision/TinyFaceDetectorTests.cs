using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Tools.Onnx;
using StepAudio.Automotive.Vision;
using Xunit.Abstractions;

namespace StepAudio.Automotive.Tests.Vision;

/// <summary>The converted detector against face-api itself, on face-api's own demo photos.</summary>
[Collection(FaceApiReference.Collection)]
public class TinyFaceDetectorTests(FaceApiReference reference, ITestOutputHelper output)
{
    private static readonly InferenceOptions Cpu = new() { Providers = [InferenceOptions.Cpu] };

    private string Convert()
    {
        var onnx = Path.Combine(TestPaths.NewTempDir(), "tiny_face_detector.onnx");
        TinyFaceDetectorConverter.Convert(reference.WeightsManifest, onnx);
        return onnx;
    }

    [Fact]
    public void ReferenceRanOnThePureJavaScriptCpuBackend() => Assert.Equal("cpu", reference.Backend);

    [Theory]
    [InlineData("sample1")]
    [InlineData("sample2")]
    [InlineData("sample3")]
    [InlineData("sample4")]
    [InlineData("sample5")]
    [InlineData("sample6")]
    public void FindsTheSameFacesAsFaceApiWithinTwoPixels(string photo)
    {
        var (width, height, rgb, expected) = reference.Images[photo];
        Assert.NotEmpty(expected);
        using var detector = new TinyFaceDetector(Convert(), Cpu);
        var faces = new List<FaceBox>();
        detector.Detect(rgb, width, height, faces);
        Assert.Equal(expected.Count, faces.Count);
        var worst = 0.0;
        foreach (var e in expected)
        {
            var got = faces.MinBy(f => Math.Abs(f.X - e.X) + Math.Abs(f.Y - e.Y));
            worst = Math.Max(worst, new[] { got.X - e.X, got.Y - e.Y, got.Width - e.Width, got.Height - e.Height }.Max(Math.Abs));
            Assert.True(Math.Abs(got.X - e.X) <= 2 && Math.Abs(got.Y - e.Y) <= 2 && Math.Abs(got.Width - e.Width) <= 2 && Math.Abs(got.Height - e.Height) <= 2,
                $"{photo}: face-api box ({e.X:0.0}, {e.Y:0.0}, {e.Width:0.0}, {e.Height:0.0}), ONNX ({got.X:0.0}, {got.Y:0.0}, {got.Width:0.0}, {got.Height:0.0})");
            Assert.Equal(e.Score, got.Score, 0.01);
        }
        output.WriteLine($"{photo}: {faces.Count} face(s), largest box difference from face-api {worst:0.000} px");
    }

    [Fact]
    public void FindsFacesInAGrayFrameAsAnIrCameraGivesIt()
    {
        var (width, height, rgb, expected) = reference.Images["sample2"];
        var luma = new byte[width * height];
        for (var i = 0; i < luma.Length; i++)
            luma[i] = (byte)Math.Round((0.299 * rgb[3 * i]) + (0.587 * rgb[(3 * i) + 1]) + (0.114 * rgb[(3 * i) + 2]));
        using var detector = new TinyFaceDetector(Convert(), Cpu);
        var faces = new List<FaceBox>();
        detector.DetectGray(luma, width, height, faces);
        var face = Assert.Single(faces);
        Assert.True(face.IntersectionOverUnion(expected[0]) > 0.7, $"gray box {face} vs colour {expected[0]}");
    }

    [Fact]
    public void ConversionIsDeterministic() =>
        Assert.Equal(File.ReadAllBytes(Convert()), File.ReadAllBytes(Convert()));

    [Fact]
    public void InputSizeMustBeAMultipleOf32()
    {
        var e = Assert.Throws<InvalidInputException>(() => new TinyFaceDetector(Convert(), Cpu, 400));
        Assert.Equal("inputSize: 400 is not a multiple of 32 of at least 64", e.Message);
    }
}
