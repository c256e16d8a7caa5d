using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StepAudio.Automotive.Inference;

/// <summary>
/// One ONNX model with fixed-shape inputs and outputs bound once to pinned buffers: callers write
/// <see cref="OnnxTensor.Floats"/>, call <see cref="Run"/>, read the outputs. Nothing is allocated
/// per call. The execution providers come from <see cref="InferenceOptions"/>; a provider that this
/// ONNX Runtime build lacks (or that fails to start) is dropped with its reason in
/// <see cref="FallbackReasons"/> and the log, down to the CPU.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private const string TensorRtProvider = "TensorrtExecutionProvider";
    private const string CudaProvider = "CUDAExecutionProvider";

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly Dictionary<string, OnnxTensor> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxTensor> _outputs = new(StringComparer.Ordinal);

    /// <param name="path">The .onnx file.</param>
    /// <param name="shapes">Shapes for inputs and outputs with dynamic dimensions, by name.</param>
    public OnnxModel(string path, InferenceOptions options, IReadOnlyDictionary<string, long[]>? shapes = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        Path = path;
        if (!File.Exists(path)) throw new InvalidInputException(path, "model file not found");

        _session = OpenSession(path, options, logger, out var provider, out var reasons);
        ExecutionProvider = provider;
        FallbackReasons = reasons;

        try
        {
            _binding = _session.CreateIoBinding();
            foreach (var (name, meta) in _session.InputMetadata)
                _inputs.Add(name, Bind(name, meta, shapes, isInput: true));
            foreach (var (name, meta) in _session.OutputMetadata)
                _outputs.Add(name, Bind(name, meta, shapes, isInput: false));
            foreach (var name in shapes?.Keys ?? [])
                if (!_inputs.ContainsKey(name) && !_outputs.ContainsKey(name))
                    throw new InvalidInputException(path, $"model has no input or output named '{name}' (inputs: {string.Join(", ", _inputs.Keys)}; outputs: {string.Join(", ", _outputs.Keys)})");
        }
        catch
        {
            Dispose();
            throw;
        }
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("{Model}: running on {Provider}", System.IO.Path.GetFileName(path), ExecutionProvider);
    }

    public string Path { get; }

    /// <summary>The provider the model runs on first: <c>tensorrt</c>, <c>cuda</c> or <c>cpu</c>.</summary>
    public string ExecutionProvider { get; } = InferenceOptions.Cpu;

    /// <summary>Why each preferred provider was skipped, in chain order (empty when the first one ran).</summary>
    public IReadOnlyList<string> FallbackReasons { get; }

    public IReadOnlyDictionary<string, OnnxTensor> Inputs => _inputs;

    public IReadOnlyDictionary<string, OnnxTensor> Outputs => _outputs;

    public OnnxTensor Input(string name) => _inputs.TryGetValue(name, out var t) ? t : throw new ArgumentException($"{Path}: no input '{name}'", nameof(name));

    public OnnxTensor Output(string name) => _outputs.TryGetValue(name, out var t) ? t : throw new ArgumentException($"{Path}: no output '{name}'", nameof(name));

    /// <summary>Runs the model on the current input buffers, writing the output buffers in place.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    /// <summary>
    /// Runs a few times on the current inputs so that lazy initialisation (and TensorRT's engine
    /// build) happens at start, not on the first real frame.
    /// </summary>
    public void WarmUp(int runs = 2)
    {
        for (var i = 0; i < runs; i++) Run();
    }

    public void Dispose()
    {
        _binding?.Dispose();
        foreach (var t in _inputs.Values) t.Dispose();
        foreach (var t in _outputs.Values) t.Dispose();
        _runOptions.Dispose();
        _session?.Dispose();
    }

    private OnnxTensor Bind(string name, NodeMetadata meta, IReadOnlyDictionary<string, long[]>? shapes, bool isInput)
    {
        long[] shape;
        if (shapes is not null && shapes.TryGetValue(name, out var given))
        {
            if (given.Length != meta.Dimensions.Length)
                throw new InvalidInputException(Path, $"'{name}' has rank {meta.Dimensions.Length}, the code expects {given.Length}: not the model this stage was written for");
            for (var i = 0; i < given.Length; i++)
                if (meta.Dimensions[i] > 0 && meta.Dimensions[i] != given[i])
                    throw new InvalidInputException(Path, $"'{name}' dimension {i} is {meta.Dimensions[i]}, the code expects {given[i]}");
            shape = given;
        }
        else
        {
            shape = meta.Dimensions.Select(d => (long)d).ToArray();
            if (shape.Any(d => d <= 0))
                throw new InvalidInputException(Path, $"'{name}' has dynamic shape [{string.Join(",", meta.Dimensions)}]: give its shape");
        }
        var tensor = meta.ElementDataType switch
        {
            TensorElementType.Float => OnnxTensor.Create<float>(name, shape),
            TensorElementType.Int64 => OnnxTensor.Create<long>(name, shape),
            var t => throw new InvalidInputException(Path, $"'{name}' has element type {t}; only float and int64 are supported"),
        };
        if (isInput) _binding.BindInput(name, tensor.Value);
        else _binding.BindOutput(name, tensor.Value);
        return tensor;
    }

    /// <summary>
    /// A session on the first execution provider of <paramref name="options"/>' chain that starts, down to
    /// the CPU; <paramref name="reasons"/> says why each skipped one was skipped. For models with dynamic
    /// shapes that bind their own values (the transcriber).
    /// </summary>
    /// <param name="dynamicShapes">Inputs change shape from run to run: no memory pattern (ONNX Runtime would plan, and keep, one per shape).</param>
    internal static InferenceSession OpenSession(string path, InferenceOptions options, ILogger logger, out string provider, out IReadOnlyList<string> reasons, bool dynamicShapes = false)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "model file not found");
        var fallbacks = new List<string>();
        var available = OrtEnv.Instance().GetAvailableProviders();
        var chain = options.Providers.Select(p => p.Trim().ToLowerInvariant()).ToList();
        foreach (var p in chain.Where(p => p is not (InferenceOptions.TensorRt or InferenceOptions.Cuda or InferenceOptions.Cpu)))
            throw new InvalidInputException("StepAudio:Inference:Providers", $"unknown execution provider '{p}' (use tensorrt, cuda, cpu)");

        // Try the whole chain; a provider that cannot start is dropped and the session retried without it.
        while (true)
        {
            using var so = NewSessionOptions(options);
            so.EnableMemoryPattern = !dynamicShapes;
            var used = new List<string>();
            foreach (var p in chain.ToArray())
            {
                if (p == InferenceOptions.Cpu) break;
                var reason = AppendProvider(so, p, options, available);
                if (reason is null)
                {
                    used.Add(p);
                }
                else
                {
                    Fallback(fallbacks, logger, path, p, reason);
                    chain.Remove(p);
                }
            }
            try
            {
                var session = new InferenceSession(path, so);
                provider = used.Count > 0 ? used[0] : InferenceOptions.Cpu;
                reasons = fallbacks;
                return session;
            }
            catch (OnnxRuntimeException e) when (used.Count > 0)
            {
                Fallback(fallbacks, logger, path, used[0], $"session creation failed ({FirstLine(e.Message)})");
                chain.Remove(used[0]);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidInputException(path, $"not a loadable ONNX model ({FirstLine(e.Message)})", e);
            }
        }
    }

    private static SessionOptions NewSessionOptions(InferenceOptions options)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, options.IntraOpThreads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            EnableCpuMemArena = options.CpuMemoryArena,
        };
        // Idle threads must not spin: four zones share a small CPU with the rest of the service.
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        so.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return so;
    }

    /// <summary>Appends one provider; returns why it could not be, or null.</summary>
    private static string? AppendProvider(SessionOptions so, string provider, InferenceOptions options, string[] available)
    {
        var native = provider == InferenceOptions.TensorRt ? TensorRtProvider : CudaProvider;
        if (!available.Contains(native))
            return $"{native} is not in this ONNX Runtime build (available: {string.Join(", ", available)})";
        try
        {
            if (provider == InferenceOptions.TensorRt)
            {
                using var trt = new OrtTensorRTProviderOptions();
                trt.UpdateOptions(TensorRtSettings(options));
                so.AppendExecutionProvider_Tensorrt(trt);
            }
            else
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                so.AppendExecutionProvider_CUDA(cuda);
            }
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            return $"{native} failed to start ({FirstLine(e.Message)})";
        }
    }

    internal static Dictionary<string, string> TensorRtSettings(InferenceOptions options)
    {
        static string B(bool b) => b ? "1" : "0";
        var t = options.TensorRtSettings;
        var d = new Dictionary<string, string>
        {
            ["device_id"] = options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["trt_int8_enable"] = B(t.EnableInt8),
            ["trt_fp16_enable"] = B(t.EnableFp16),
            ["trt_max_workspace_size"] = t.MaxWorkspaceSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["trt_engine_cache_enable"] = B(t.EngineCachePath is not null),
            ["trt_timing_cache_enable"] = B(t.TimingCachePath is not null),
            ["trt_dla_enable"] = B(t.DlaCore is not null),
        };
        if (t.EngineCachePath is not null) d["trt_engine_cache_path"] = t.EngineCachePath;
        if (t.TimingCachePath is not null) d["trt_timing_cache_path"] = t.TimingCachePath;
        if (t.DlaCore is { } core) d["trt_dla_core"] = core.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return d;
    }

    private static void Fallback(List<string> reasons, ILogger logger, string path, string provider, string reason)
    {
        reasons.Add($"{provider}: {reason}");
        logger.LogWarning("{Model}: skipping {Provider}: {Reason}", System.IO.Path.GetFileName(path), provider, reason);
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}

/// <summary>One bound tensor: a pinned managed buffer that ONNX Runtime reads or writes in place.</summary>
public sealed class OnnxTensor : IDisposable
{
    private readonly float[]? _floats;
    private readonly long[]? _int64s;

    private OnnxTensor(string name, long[] shape, float[]? floats, long[]? int64s, OrtValue value)
    {
        Name = name;
        Shape = shape;
        _floats = floats;
        _int64s = int64s;
        Value = value;
    }

    public string Name { get; }

    public IReadOnlyList<long> Shape { get; }

    /// <summary>The float buffer (row-major); empty for an int64 tensor.</summary>
    public Span<float> Floats => _floats;

    public Span<long> Int64s => _int64s;

    internal OrtValue Value { get; }

    internal static OnnxTensor Create<T>(string name, long[] shape)
        where T : unmanaged
    {
        var length = (int)shape.Aggregate(1L, (a, b) => a * b);
        // Pinned: the OrtValue points straight at the array for the tensor's whole life.
        var buffer = GC.AllocateArray<T>(length, pinned: true);
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(), shape);
        return new OnnxTensor(name, shape, buffer as float[], buffer as long[], value);
    }

    public void Dispose() => Value.Dispose();
}
