using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace StepAudio.Automotive.Inference;

/// <summary>
/// Loads ONNX Runtime's native library from an explicit path, e.g. JetPack's TensorRT-enabled
/// <c>libonnxruntime.so</c> on a Jetson, instead of the CPU-only one from NuGet. Must run before
/// any other ONNX Runtime type is used; the library must be at least as new as the managed API.
/// </summary>
public static class OnnxRuntimeLibrary
{
    /// <summary>Environment form of the setting <c>StepAudio:Inference:NativeLibrary</c>.</summary>
    public const string EnvironmentVariable = "StepAudio__Inference__NativeLibrary";

    /// <summary>Uses <c>$StepAudio__Inference__NativeLibrary</c> when it is set.</summary>
    public static void UseFromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(path)) Use(path);
    }

    public static void Use(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, $"ONNX Runtime native library not found (set by {EnvironmentVariable})");
        IntPtr handle;
        try
        {
            handle = NativeLibrary.Load(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new InvalidInputException(path, $"not a loadable ONNX Runtime library ({e.Message.Split(". ")[0]})");
        }
        OrtEnv.DisableDllImportResolver = true;
        NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, (name, _, _) =>
            name is "onnxruntime" or "libonnxruntime" or "libonnxruntime.so" ? handle : IntPtr.Zero);
    }
}
