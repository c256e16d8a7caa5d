using BenchmarkDotNet.Attributes;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Benchmarks;

/// <summary>Where a front-end frame's time goes: each stage on one steady frame of 4 microphones.</summary>
[MemoryDiagnoser]
public class SpatialStageBenchmarks
{
    private SpatialFrontEnd _front = null!;
    private float[][] _hop = null!;
    private readonly bool[] _usable = [true, true, true, true];
    private readonly bool[] _silent = [false, false, false, false];
    private readonly float[] _re = new float[257];
    private readonly float[] _im = new float[257];
    private readonly float[] _out = new float[160];
    private StftAnalyzer _analyzer = null!;
    private StftSynthesizer _synthesizer = null!;
    private EchoCanceller _echo = null!;
    private float[][] _micRe = null!;
    private float[][] _micIm = null!;
    private float[][] _refRe = null!;
    private float[][] _refIm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var profile = BenchInputs.Cabin("sedan-console-circular");
        _front = new SpatialFrontEnd(profile, new BenchInputs.NullSink());
        var rng = new Random(2);
        _hop = new float[4][];
        for (var m = 0; m < 4; m++) _hop[m] = [.. Enumerable.Range(0, 160).Select(_ => (float)(rng.NextDouble() - 0.5))];
        for (var i = 0; i < 200; i++) _front.Process(_hop, _usable);
        _analyzer = new StftAnalyzer(_front.Stft);
        _synthesizer = new StftSynthesizer(_front.Stft);
        // The console cabin's four door speakers as references, all playing.
        _echo = new EchoCanceller(4, profile.Loudspeakers.Count, _front.Stft.Bins);
        float[][] Spectra(int n) => [.. Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 257).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray())];
        (_micRe, _micIm, _refRe, _refIm) = (Spectra(4), Spectra(4), Spectra(profile.Loudspeakers.Count), Spectra(profile.Loudspeakers.Count));
        for (var i = 0; i < 20; i++) _echo.Process(_micRe, _micIm, _refRe, _refIm);
    }

    [Benchmark]
    public void StftAnalysisOneChannel() => _analyzer.Push(_hop[0], _re, _im);

    [Benchmark]
    public void StftSynthesisOneStream() => _synthesizer.Pop(_re, _im, _out);

    [Benchmark]
    public void NoiseFloorAndMask() => _front.ZoneMap.Observe(_front.SpectraRe, _front.SpectraIm, _usable);

    [Benchmark]
    public void SrpPhatGrid() => _front.Localizer.Process(_front.SpectraRe, _front.SpectraIm, _front.ZoneMap.Mask);

    [Benchmark]
    public void ZoneScores() => _front.ZoneMap.Score();

    [Benchmark]
    public void BeamformerUpdate() => _front.Beamformer.Update(_front.SpectraRe, _front.SpectraIm, _silent);

    [Benchmark]
    public void OneZoneBeam() => _front.Beamformer.Beam(0, _front.SpectraRe, _front.SpectraIm, _re, _im);

    /// <summary>Echo cancellation of all 4 microphones against the 4 door speakers, 12 taps each (one hop).</summary>
    [Benchmark]
    public void EchoCancellerFourSpeakers() => _echo.Process(_micRe, _micIm, _refRe, _refIm);
}
