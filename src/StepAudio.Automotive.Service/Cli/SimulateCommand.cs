using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio simulate</c>: renders a cabin scene (who says what, where, over how much road noise)
/// through the cabin's image-source room into a multichannel WAV and its ground-truth JSON.
/// </summary>
public static class SimulateCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var scene = new Option<string>("--scene") { Description = "Scene JSON: cabin profile, duration, noise, and the utterances", Required = true, HelpName = "scene.json" };
        var output = new Option<string>("--out") { Description = "Multichannel WAV to write, one channel per microphone", Required = true, HelpName = "out.wav" };
        var truth = new Option<string?>("--truth") { Description = "Ground-truth JSON to write (default: the WAV's name with .truth.json)", HelpName = "out.truth.json" };
        var format = new Option<string>("--format") { Description = "WAV sample format: s16le, s24le, s32le, f32le", DefaultValueFactory = _ => "s16le" };

        var command = new Command("simulate", "Render a cabin scene to a multichannel WAV and its ground truth")
        {
            scene, output, truth, format,
        };
        command.SetAction((parse, ct) =>
        {
            var scenePath = parse.GetRequiredValue(scene);
            var wavFormat = PcmSampleFormatExtensions.Parse(parse.GetRequiredValue(format), "--format");
            var outPath = parse.GetRequiredValue(output);
            var truthPath = parse.GetValue(truth) ?? Path.ChangeExtension(outPath, ".truth.json");
            // Read and check everything before writing anything.
            var parsed = CabinSceneReader.Load(scenePath);
            var watch = Stopwatch.StartNew();
            SceneRender render;
            try
            {
                render = new CabinSimulator().Render(parsed);
            }
            catch (InvalidInputException e) when (e.Source.StartsWith("events[", StringComparison.Ordinal) || e.Source.StartsWith("noise.", StringComparison.Ordinal))
            {
                throw new InvalidInputException(scenePath, e.Message, e);
            }
            WavWriter.Write(outPath, render.Interleaved(), render.Channels, render.SampleRate, wavFormat);
            GroundTruthWriter.Write(truthPath, render, Path.GetFileName(outPath));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outPath}: {render.Channels} channels, {render.Frames / (double)render.SampleRate:0.###} s, {render.Utterances.Count} utterances, RT60 {render.Rt60Seconds:0.###} s, SNR {(render.SnrDb is { } s ? s.ToString("0.#", CultureInfo.InvariantCulture) + " dB" : "no noise")}; truth in {truthPath} ({watch.Elapsed.TotalSeconds:0.0} s)"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
