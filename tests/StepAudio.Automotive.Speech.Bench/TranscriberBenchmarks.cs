using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;

namespace StepAudio.Automotive.Speech.Bench;

/// <summary>
/// The transcriber's cost per command decision (<see cref="CommandTranscriber"/>): Moonshine tiny on one
/// utterance, greedy, and with every phrase of the default grammar scored. It runs once per utterance end in
/// an open command window (and at most once per run of sure head steps), not per frame; the wake-word check once per gated wake word.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup]; its benchmark classes cannot be sealed")]
public class TranscriberBenchmarks
{
    private CommandTranscriber _commands = null!;
    private SpeechTranscriber _transcriber = null!;
    private float[] _utterance = null!;
    private float[] _keyword = null!;
    private readonly WakeVerifier _verifier = new();

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(10));
    }

    [GlobalSetup]
    public void Setup()
    {
        _transcriber = new SpeechTranscriber(SpeechTranscriberPaths.From(ModelStore.Default()), new InferenceOptions());
        _commands = CommandTranscriber.For(_transcriber, CommandGrammar.Default, new CommandOptions());
        var pad = new float[(int)(CommandRecognizer.PaddingSeconds * SpeechSteps.SampleRate)];
        _utterance = [.. pad, .. ZoneSpeechBenchmarks.Espeak("set the temperature to twenty two degrees"), .. pad];
        _keyword = [.. pad, .. ZoneSpeechBenchmarks.Espeak("hey jarvis"), .. pad];
    }

    [GlobalCleanup]
    public void Cleanup() => _commands.Dispose();

    /// <summary>The utterance transcribed, greedy with the KV cache.</summary>
    [Benchmark(Baseline = true)]
    public string Transcribe() => _transcriber.Transcribe(_utterance);

    /// <summary>A command decision: the greedy transcript and every grammar phrase scored.</summary>
    [Benchmark]
    public int DecideCommand() => _commands.Decide(_utterance, out _);

    /// <summary>A wake word checked (<see cref="WakeVerifier"/>): the greedy transcript of the keyword's audio and its two writings scored.</summary>
    [Benchmark]
    public float VerifyWakeWord() => _verifier.Score(_transcriber, "hey_jarvis", _keyword);
}
