using System.Diagnostics;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Service.Cli;

namespace StepAudio.Automotive.Tests.Inference;

/// <summary>
/// Pointing the service at another ONNX Runtime native library (JetPack's on a Jetson). Runs the
/// real binary as a child: the library choice is per process and must precede any ONNX Runtime use.
/// </summary>
public class OnnxRuntimeLibraryTests
{
    private static async Task<(int Code, string Out, string Err)> Stepaudio(string? nativeLibrary, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "stepaudio.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (nativeLibrary is not null) psi.Environment[OnnxRuntimeLibrary.EnvironmentVariable] = nativeLibrary;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task ModelsLoadThroughALibraryAtAnExplicitPath()
    {
        // A copy of the NuGet CPU library somewhere else stands in for JetPack's build.
        var lib = Path.Combine(TestPaths.NewTempDir(), "libonnxruntime.so");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so"), lib);
        var (code, output, err) = await Stepaudio(lib, "models", "verify", "--default-build", "--load", "--providers", "tensorrt,cpu");
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("loaded embedding_model on cpu (skipped tensorrt: TensorrtExecutionProvider is not in this ONNX Runtime build", output, StringComparison.Ordinal);
        Assert.Contains("loaded silero_vad_v5 on cpu", output, StringComparison.Ordinal);
        Assert.Contains("loaded moonshine_tiny_encoder + moonshine_tiny_decoder (the transcriber) on cpu", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingOrBrokenLibraryIsNamed()
    {
        var (code, _, err) = await Stepaudio("/nonexistent/libonnxruntime.so", "models", "verify");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("/nonexistent/libonnxruntime.so: ONNX Runtime native library not found", err, StringComparison.Ordinal);

        var notALibrary = Path.Combine(TestPaths.NewTempDir(), "libonnxruntime.so");
        File.WriteAllText(notALibrary, "not an ELF file");
        (code, _, err) = await Stepaudio(notALibrary, "models", "verify");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{notALibrary}: not a loadable ONNX Runtime library", err, StringComparison.Ordinal);
    }
}
