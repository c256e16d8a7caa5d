using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using System.CommandLine;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Service.Hosting;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// <c>stepaudio replay</c>: runs the service's pipeline on a recording and writes one JSON event per
/// line. As fast as possible by default; <c>--realtime</c> paces it like a live device. With
/// <c>--mqtt</c> it also publishes them to a broker exactly as the service does, and waits until the
/// broker has acknowledged every one.
/// </summary>
public static class ReplayCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var cabin = new Option<string>("--cabin") { Description = "Cabin profile JSON (microphone geometry and seat zones)", Required = true, HelpName = "profile.json" };
        var audio = new Option<string>("--audio") { Description = "Multichannel WAV recording, or - for raw interleaved PCM on stdin", Required = true, HelpName = "file.wav" };
        var format = new Option<string>("--format") { Description = "Sample format of raw PCM on stdin: s16le, s24le, s32le, f32le", DefaultValueFactory = _ => "s16le" };
        var video = new Option<string?>("--video") { Description = "Cabin camera recording (Y4M, gray or 4:2:0), stepped on the audio's stream time; its health is in the status events", HelpName = "file.y4m" };
        var events = new Option<string?>("--events") { Description = "Write events here as JSON Lines (default: stdout)", HelpName = "out.jsonl" };
        var beamformer = new Option<string>("--beamformer") { Description = "Per-zone beams: mvdr or das (delay-and-sum)", DefaultValueFactory = _ => "mvdr" };
        var wakeHeads = new Option<string[]>("--wake-head") { Description = "Wake-word head(s) to run in every zone: a model id from the manifest (default: our own hey_jarvis; hey_jarvis_v0.1 is openWakeWord's, demo-only licence), an .onnx file, or none", AllowMultipleArgumentsPerToken = true, HelpName = "model" };
        var precision = new Option<string>("--precision") { Description = "Speech embedding model: int8 (quantized at models fetch) or fp32", DefaultValueFactory = _ => "int8" };
        var visionPrecision = new Option<string>("--vision-precision") { Description = "Face nets: fp32 (default) or int8 (quantized at models fetch)", DefaultValueFactory = _ => "fp32" };
        var recognizer = new Option<string>("--recognizer") { Description = "What decides a command at the utterance's end: transcriber (Moonshine over the grammar, the default) or head (the command head alone)", DefaultValueFactory = _ => CommandOptions.TranscriberRecognizer, HelpName = "transcriber|head" };
        recognizer.AcceptOnlyFromAmong(CommandOptions.TranscriberRecognizer, CommandOptions.HeadRecognizer);
        var commandHead = new Option<string>("--command-head") { Description = "Command head run after each wake word: a model id (default: our own commands-en), an .onnx file (labels beside it), or none", DefaultValueFactory = _ => new CommandOptions().Model, HelpName = "model" };
        var modelCache = new Option<string?>("--models") { Description = "Model cache directory (default as for stepaudio models fetch)", HelpName = "dir" };
        var realtime = new Option<bool>("--realtime") { Description = "Pace the recording in real time, as the live device would deliver it" };
        var mqtt = new Option<string?>("--mqtt") { Description = "Also publish the events to this broker as the service would", HelpName = "mqtt://host:port" };
        var vin = new Option<string>("--vin") { Description = "Vehicle identification number in the MQTT topic prefix", DefaultValueFactory = _ => new MqttOptions().Vin };
        var noEmotion = new Option<bool>("--no-emotion") { Description = "Leave out the emotion stage (prosody, emotion events, escalation policy)" };
        var noVision = new Option<bool>("--no-vision") { Description = "With --video: keep only the camera's health, no face tracking, visual speech or audio-visual attribution" };
        var mqttTimeout = new Option<double>("--mqtt-timeout") { Description = "Seconds to wait for the broker to acknowledge everything", DefaultValueFactory = _ => 30 };
        var echoReferences = new Option<int>("--echo-references") { Description = "Channels after the microphones that carry the loudspeakers' feeds (hil generate writes them); their echo is cancelled", HelpName = "n" };

        var command = new Command("replay", "Run the pipeline on a recording and write its events as JSON Lines")
        {
            cabin, audio, format, video, events, beamformer, wakeHeads, commandHead, recognizer, precision, visionPrecision, modelCache, realtime, noEmotion, noVision, mqtt, vin, mqttTimeout, echoReferences,
        };
        command.SetAction(async (parse, ct) =>
        {
            var log = new CliLogger(stderr);
            var profile = CabinProfileReader.Load(parse.GetRequiredValue(cabin));
            var rawFormat = PcmSampleFormatExtensions.Parse(parse.GetRequiredValue(format), "--format");
            var embeddingPrecision = ModelPrecisions.Parse(parse.GetRequiredValue(precision), "--precision");
            var facePrecision = ModelPrecisions.Parse(parse.GetRequiredValue(visionPrecision), "--vision-precision");
            var references = parse.GetValue(echoReferences);
            if (AudioInputOptions.EchoReferencesProblem(references) is { } problem) throw new InvalidInputException("--echo-references", problem);
            var spatial = new SpatialOptions { Beamformer = SpatialOptions.ParseBeamformer(parse.GetRequiredValue(beamformer), "--beamformer"), EchoReferences = references };
            var videoPath = parse.GetValue(video);
            var heads = WakeHead.Resolve([.. (parse.GetValue(wakeHeads) ?? []).Select(h => new WakeHead { Model = h, Options = new WakeWordOptions { Keyword = KeywordOf(h) } })]);
            var commandModel = parse.GetRequiredValue(commandHead);
            var commands = new CommandOptions { Model = commandModel, Enabled = commandModel != "none", Recognizer = parse.GetRequiredValue(recognizer) };
            if (videoPath is not null && !File.Exists(videoPath))
                throw new InvalidInputException(videoPath, "file not found");
            using var camera = videoPath is null ? null : new VideoInput(new Y4mFileSource(videoPath));

            // Open the input before creating the output, so a bad recording leaves no empty events file.
            var mqttUri = parse.GetValue(mqtt);
            var gateway = mqttUri is null ? null : GatewayAddress.Parse(mqttUri, "--mqtt");
            var mqttOptions = new MqttOptions { Vin = parse.GetRequiredValue(vin) };
            if (string.IsNullOrWhiteSpace(mqttOptions.Vin) || mqttOptions.Vin.IndexOfAny(['/', '+', '#']) >= 0)
                throw new InvalidInputException("--vin", $"'{mqttOptions.Vin}' is empty or holds a topic character (/ + #)");
            var source = AudioSourceFactory.OpenRecording(parse.GetRequiredValue(audio), profile, rawFormat, references);
            var eventsPath = parse.GetValue(events);
            using var jsonl = new JsonlEventWriter(eventsPath is null ? Console.OpenStandardOutput() : File.Create(eventsPath));
            if (gateway is null)
            {
                Run(jsonl);
                return ExitCodes.Ok;
            }

            // A private outbox for this run: what the broker has not acknowledged when we give up is reported, not kept.
            var outboxDir = Directory.CreateTempSubdirectory("stepaudio-replay-");
            try
            {
                mqttOptions.OutboxPath = Path.Combine(outboxDir.FullName, "outbox.db");
                await using var publisher = new GatewayPublisher(mqttOptions, gateway);
                publisher.Start();
                Run(new EventFanOut([jsonl, publisher]));
                var timeout = TimeSpan.FromSeconds(parse.GetValue(mqttTimeout));
                if (!await publisher.WaitDrainedAsync(timeout, ct: ct))
                {
                    await stderr.WriteLineAsync($"stepaudio: --mqtt {gateway}: {publisher.Outbox.Unacknowledged} message(s) not acknowledged within {timeout.TotalSeconds:0.#} s");
                    return ExitCodes.Failure;
                }
                return ExitCodes.Ok;
            }
            finally
            {
                outboxDir.Delete(recursive: true);
            }

            void Run(IEventSink sink)
            {
                var store = ModelStore.Default(parse.GetValue(modelCache));
                using var speech = heads.Count == 0 ? null
                    : SpeechStage.Create(profile, store, heads, new InferenceOptions { Precision = embeddingPrecision }, log, commands);
                var emotion = parse.GetValue(noEmotion) ? null : new EmotionStage(profile);
                // The vision stage needs seats in the picture: a profile camera of the video's size.
                using var vision = camera is null || parse.GetValue(noVision) || profile.Camera is not { } cam || (cam.Width, cam.Height) != (camera.Width, camera.Height) ? null
                    : CabinVision.Load(cam, store, new InferenceOptions(), new VisionOptions { Precision = facePrecision }, log);
                var pipeline = new CabinPipeline(profile, sink, spatial) { Speech = speech, Emotion = emotion, Vision = vision };
                if (camera is not null)
                {
                    pipeline.AttachVideo(camera);
                    if (profile.Camera is null)
                        pipeline.AddWarning($"{camera.Name}: cabin profile '{profile.Name}' has no camera geometry, so frames cannot be assigned to seats");
                    else if ((profile.Camera.Width, profile.Camera.Height) != (camera.Width, camera.Height))
                        pipeline.AddWarning($"{camera.Name}: frames are {camera.Width}x{camera.Height} but cabin profile '{profile.Name}' places seats in a {profile.Camera.Width}x{profile.Camera.Height} image");
                }
                // A recording is never reopened: only live sources are retried.
                new PipelineRunner(() => source, pipeline, parse.GetValue(realtime)).Run(ct);
            }
        });
        return command;
    }

    /// <summary>The keyword in events: the head's name without version or extension (hey_jarvis_v0.1 → hey_jarvis).</summary>
    private static string KeywordOf(string head)
    {
        var name = Path.GetFileNameWithoutExtension(head);
        var v = name.LastIndexOf("_v", StringComparison.Ordinal);
        return v > 0 ? name[..v] : name;
    }
}
