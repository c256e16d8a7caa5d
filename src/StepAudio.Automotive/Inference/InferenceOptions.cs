namespace StepAudio.Automotive.Inference;

/// <summary>
/// How models run (configuration section <c>StepAudio:Inference</c>): the execution-provider chain
/// in order of preference and each provider's settings. Providers missing from the ONNX Runtime
/// build are skipped with a logged reason; CPU always ends the chain.
/// </summary>
public sealed class InferenceOptions
{
    public const string TensorRt = "tensorrt";
    public const string Cuda = "cuda";
    public const string Cpu = "cpu";

    /// <summary>
    /// Preferred providers, first wins: any of <c>tensorrt</c>, <c>cuda</c>, <c>cpu</c>. Empty means
    /// CPU only (empty rather than <c>[cpu]</c> by default: configuration binding appends to lists).
    /// </summary>
    public IList<string> Providers { get; set; } = [];

    /// <summary>Threads for one model's operators. Small streaming models run best on one.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// ONNX Runtime's CPU memory arena. Off by default: with it on, RSS crept up ≈ 5 MB per hour of
    /// audio with the 4-zone speech stage; off, it stays flat and was no slower (README, Footprint).
    /// </summary>
    public bool CpuMemoryArena { get; set; }

    /// <summary>
    /// The speech embedding's precision: <c>Int8</c> (default) runs the QDQ model that
    /// <c>stepaudio models fetch</c> quantizes into the cache, <c>Fp32</c> the published one. (The face
    /// nets have their own: <c>StepAudio:Video:Precision</c>.)
    /// </summary>
    public ModelPrecision Precision { get; set; } = ModelPrecision.Int8;

    /// <summary>GPU index for CUDA and TensorRT.</summary>
    public int DeviceId { get; set; }

    public TensorRtOptions TensorRtSettings { get; set; } = new();
}

/// <summary>TensorRT execution-provider settings (Jetson: JetPack's ONNX Runtime build).</summary>
public sealed class TensorRtOptions
{
    /// <summary>Run QDQ INT8 models with explicit quantization (no calibration table).</summary>
    public bool EnableInt8 { get; set; }

    /// <summary>Let layers that are not quantized run in FP16.</summary>
    public bool EnableFp16 { get; set; } = true;

    /// <summary>Built engines are cached here; the first build can take minutes.</summary>
    public string? EngineCachePath { get; set; }

    public string? TimingCachePath { get; set; }

    /// <summary>Deep-learning accelerator core on Jetson Orin (0 or 1); null runs on the GPU.</summary>
    public int? DlaCore { get; set; }

    /// <summary>Builder workspace limit in bytes.</summary>
    public long MaxWorkspaceSize { get; set; } = 1L << 30;
}
