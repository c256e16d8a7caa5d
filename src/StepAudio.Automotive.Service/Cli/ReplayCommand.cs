using System.CommandLine;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio replay</c>: runs the service's pipeline on a recording and writes one JSON event per
/// line. As fast as possible by default; <c>--realtime</c> paces it like a live device.
/// </summary>
public static class ReplayCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var cabin = new Option<string>("--cabin") { Description = "Cabin profile JSON (microphone geometry and seat zones)", Required = true, HelpName = "profile.json" };
        var audio = new Option<string>("--audio") { Description = "Multichannel WAV recording, or - for raw interleaved PCM on stdin", Required = true, HelpName = "file.wav" };
        var format = new Option<string>("--format") { Description = "Sample format of raw PCM on stdin: s16le, s24le, s32le, f32le", DefaultValueFactory = _ => "s16le" };
        var video = new Option<string?>("--video") { Description = "Cabin camera recording (Y4M); the vision stage is not built yet, so it is checked and noted in status", HelpName = "file.y4m" };
        var events = new Option<string?>("--events") { Description = "Write events here as JSON Lines (default: stdout)", HelpName = "out.jsonl" };
        var beamformer = new Option<string>("--beamformer") { Description = "Per-zone beams: mvdr or das (delay-and-sum)", DefaultValueFactory = _ => "mvdr" };
        var realtime = new Option<bool>("--realtime") { Description = "Pace the recording in real time, as the live device would deliver it" };

        var command = new Command("replay", "Run the pipeline on a recording and write its events as JSON Lines")
        {
            cabin, audio, format, video, events, beamformer, realtime,
        };
        command.SetAction((parse, ct) =>
        {
            var profile = CabinProfileReader.Load(parse.GetRequiredValue(cabin));
            var rawFormat = PcmSampleFormatExtensions.Parse(parse.GetRequiredValue(format), "--format");
            var spatial = new SpatialOptions { Beamformer = SpatialOptions.ParseBeamformer(parse.GetRequiredValue(beamformer), "--beamformer") };
            var videoPath = parse.GetValue(video);
            if (videoPath is not null && !File.Exists(videoPath))
                throw new InvalidInputException(videoPath, "file not found");

            // Open the input before creating the output, so a bad recording leaves no empty events file.
            var source = AudioSourceFactory.OpenRecording(parse.GetRequiredValue(audio), profile, rawFormat);
            var eventsPath = parse.GetValue(events);
            using var sink = new JsonlEventWriter(eventsPath is null ? Console.OpenStandardOutput() : File.Create(eventsPath));
            var pipeline = new CabinPipeline(profile, sink, spatial);
            if (videoPath is not null) pipeline.AddWarning($"video {videoPath} ignored: the vision stage is not built yet");
            // A recording is never reopened: only live sources are retried.
            new PipelineRunner(() => source, pipeline, parse.GetValue(realtime)).Run(ct);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
