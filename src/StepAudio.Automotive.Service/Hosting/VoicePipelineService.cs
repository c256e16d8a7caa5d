using StepAudio.Automotive.Emotion;
using StepAudio.Automotive.Inference;
using StepAudio.Automotive.Speech;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Automotive.Audio;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Pipeline;
using StepAudio.Automotive.Spatial;
using StepAudio.Automotive.Vision;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>
/// Runs the pipeline on its own thread for the life of the service. A recording that ends stops
/// the service; a live device that fails is retried by the runner.
/// </summary>
public sealed partial class VoicePipelineService(
    IOptions<StepAudioOptions> options,
    CabinProfile profile,
    IEventSink sink,
    PipelineHeartbeat heartbeat,
    ListeningControl listening,
    IHostApplicationLifetime lifetime,
    ILogger<VoicePipelineService> logger) : BackgroundService
{
    private PipelineRunner? _runner;
    private EchoCanceller? _echo;
    private VideoInput? _camera;
    private CabinVision? _vision;

    /// <summary>
    /// Returns once the input is open (or reported lost and being retried), so that under systemd
    /// READY=1 — sent when every hosted service has started — means the pipeline is really running.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var spatial = o.Spatial.ToOptions("StepAudio:Spatial") with { EchoReferences = o.Audio.EchoReferences };
        var heads = WakeHead.Resolve([.. o.WakeHeads]);
        // Without a wake head the stage still runs for push-to-talk when there is a command head to listen after it.
        var pushToTalk = o.Gpio.Enabled && o.Gpio.PushToTalkPin is not null;
        var speech = heads.Count == 0 && !(o.Commands.Enabled && pushToTalk) ? null
            : SpeechStage.Create(profile, ModelStore.Default(o.Models.Cache), heads, o.Inference, logger, o.Commands);
        if (speech is not null)
        {
            speech.WakeGate = o.WakeGate;
            speech.WakeVerifier = o.WakeVerifier;
        }
        var emotion = o.Emotion.Enabled ? new EmotionStage(profile, o.Emotion, o.Escalation) : null;
        string? cameraProblem = null;
        try
        {
            _camera = OpenCamera(o.Video, profile);
            // A live camera missing at start: audio-only until it appears (tried every RetrySeconds; status shows it lost).
            if (_camera is { State: "lost", Problem: { } missing }) LogCameraUnavailable(logger, missing);
        }
        catch (Exception e) when (e is IOException or InvalidInputException)
        {
            // A camera missing at start leaves the service audio-only, and says so; the audio is what matters.
            cameraProblem = $"camera: {e.Message}; running audio-only";
            LogCameraUnavailable(logger, e.Message);
        }
        if (_camera is not null && o.Video.Vision && profile.Camera is { } cam && (cam.Width, cam.Height) == (_camera.Width, _camera.Height))
            _vision = CabinVision.Load(cam, ModelStore.Default(o.Models.Cache), o.Inference, new VisionOptions { Precision = o.Video.Precision }, logger);
        var pipeline = new CabinPipeline(profile, sink, spatial) { Listening = listening, Speech = speech, Emotion = emotion, Vision = _vision };
        if (cameraProblem is not null) pipeline.AddWarning(cameraProblem);
        if (_camera is not null)
        {
            pipeline.AttachVideo(_camera);
            if (profile.Camera is { } c && (c.Width, c.Height) != (_camera.Width, _camera.Height))
                pipeline.AddWarning($"{_camera.Name}: frames are {_camera.Width}x{_camera.Height} but cabin profile '{profile.Name}' places seats in a {c.Width}x{c.Height} image");
        }
        _echo = pipeline.Spatial.Echo;
        LoadEchoState();
        var realtime = o.Audio.Source == "wav" && o.Audio.Realtime;
        _runner = new PipelineRunner(() => Open(o.Audio, profile), pipeline, realtime, retryOpen: o.Audio.Source == "alsa");
        heartbeat.Attach(() => _runner.Progress);
        LogStarting(logger, profile.Name, o.Audio.Source);
        await base.StartAsync(cancellationToken);
        try
        {
            await _runner.Opened.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidInputException or IOException)
        {
            // Reported and handled by the pipeline thread; nothing to wait for.
        }
    }

    /// <summary>How long a stop waits for the pipeline thread; a read blocked on a silent pipe is not waited for.</summary>
    public static readonly TimeSpan InputStopTimeout = TimeSpan.FromSeconds(2);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(InputStopTimeout);
        await base.StopAsync(patience.Token);
        if (ExecuteTask is { IsCompleted: false }) LogInputBlocked(logger, InputStopTimeout.TotalSeconds);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runner = _runner!;
        return Task.Factory.StartNew(
            () =>
            {
                try
                {
                    runner.Run(stoppingToken);
                    if (!stoppingToken.IsCancellationRequested) LogInputEnded(logger);
                }
                catch (Exception e) when (e is InvalidInputException or IOException)
                {
                    LogBadInput(logger, e.Message);
                    Environment.ExitCode = 2;
                }
                finally
                {
                    SaveEchoState();
                    lifetime.StopApplication();
                }
            },
            stoppingToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Starts the echo canceller from what it learned last time, when there is a state of its shape.</summary>
    private void LoadEchoState()
    {
        if (_echo is not { } echo || options.Value.Audio.EchoStatePath is not { } path || !File.Exists(path)) return;
        string? problem;
        try
        {
            using var stream = File.OpenRead(path);
            problem = echo.Load(stream);
        }
        catch (IOException e)
        {
            problem = e.Message;
        }
        if (problem is null) LogEchoLoaded(logger, path);
        else LogEchoNotLoaded(logger, path, problem);
    }

    /// <summary>Keeps what the echo canceller learned for the next start (written beside, then moved over the old file).</summary>
    private void SaveEchoState()
    {
        if (_echo is not { } echo || options.Value.Audio.EchoStatePath is not { } path) return;
        try
        {
            var temp = path + ".tmp";
            using (var stream = File.Create(temp)) echo.Save(stream);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogEchoNotSaved(logger, path, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Echo canceller: starting from the echo paths in {Path}")]
    private static partial void LogEchoLoaded(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Echo canceller: {Path} not used ({Problem}); learning the echo paths from scratch")]
    private static partial void LogEchoNotLoaded(ILogger logger, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Echo canceller: could not keep the echo paths in {Path}: {Problem}")]
    private static partial void LogEchoNotSaved(ILogger logger, string path, string problem);

    /// <summary>The configured camera on the pipeline's stream time; a live one is reopened after a loss (or opened once it appears). Null for <c>none</c>.</summary>
    private static VideoInput? OpenCamera(VideoOptions video, CabinProfile profile)
    {
        int width = video.Width ?? profile.Camera?.Width ?? 0, height = video.Height ?? profile.Camera?.Height ?? 0;
        var format = video.Source is "v4l2" or "raw" ? VideoPixelFormatExtensions.Parse(video.Format, "StepAudio:Video:Format") : VideoPixelFormat.Gray8;
        return video.Source switch
        {
            "none" => null,
            "y4m" => new VideoInput(new Y4mFileSource(video.Path!)),
            "v4l2" => VideoInput.Live(() => new V4l2CaptureSource(video.Device, width, height, format, video.FrameRate), $"v4l2:{video.Device}", width, height, format, video.FrameRate),
            "raw" => new VideoInput(new RawFrameSource(
                video.Path == "-" ? Console.OpenStandardInput() : File.OpenRead(video.Path!), "raw:" + video.Path, width, height, format, video.FrameRate, isLive: true)),
            _ => throw new InvalidInputException("StepAudio:Video:Source", $"'{video.Source}' is not a source"),
        };
    }

    public override void Dispose()
    {
        base.Dispose();
        _camera?.Dispose();
        _vision?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera unavailable at start: {Message}; running audio-only")]
    private static partial void LogCameraUnavailable(ILogger logger, string message);

    private static IAudioSource Open(AudioInputOptions audio, CabinProfile profile) => audio.Source switch
    {
        "alsa" => AudioSourceFactory.OpenAlsa(
            audio.Device, profile, PcmSampleFormatExtensions.Parse(audio.Format, "StepAudio:Audio:Format"), audio.AlsaConfig, audio.EchoReferences),
        "wav" => AudioSourceFactory.OpenRecording(audio.Path!, profile, references: audio.EchoReferences),
        "raw" => AudioSourceFactory.FitToProfile(
            new CaptureBuffer(new RawPcmSource(
                audio.Path == "-" ? Console.OpenStandardInput() : File.OpenRead(audio.Path!),
                "raw:" + audio.Path,
                profile.Mics.Count + audio.EchoReferences,
                profile.SampleRate,
                PcmSampleFormatExtensions.Parse(audio.Format, "StepAudio:Audio:Format"),
                isLive: true), dropWhenFull: false),
            profile,
            audio.EchoReferences),
        _ => throw new InvalidInputException("StepAudio:Audio:Source", $"'{audio.Source}' is not a source"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting pipeline for cabin {Cabin} from the {Source} source")]
    private static partial void LogStarting(ILogger logger, string cabin, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audio input still blocked {Seconds} s after the stop request; stopping without it")]
    private static partial void LogInputBlocked(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audio input ended; stopping")]
    private static partial void LogInputEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bad input: {Message}")]
    private static partial void LogBadInput(ILogger logger, string message);
}
