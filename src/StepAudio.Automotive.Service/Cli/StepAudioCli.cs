using System.CommandLine;
using StepAudio.Automotive.Tools.Simulation;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>The <c>stepaudio</c> command line: one verb per job, each a small class.</summary>
public static class StepAudioCli
{
    public static RootCommand Build(TextWriter stdout, TextWriter stderr) =>
        new("StepAudio.Automotive: in-cabin multimodal voice service")
        {
            RunCommand.Build(stderr),
            ReplayCommand.Build(stdout, stderr),
            SimulateCommand.Build(stdout, stderr),
            ModelsCommand.Build(stdout, stderr),
            HilCommand.Build(stdout, stderr),
            VisionCommand.Build(stdout, stderr),
            TrainCommand.Build(stdout),
        };

    public static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var parse = Build(stdout, stderr).Parse(args);
        // SIGTERM: the host stops the service (pipeline, then the MQTT flush) within its own timeout;
        // only if that hangs is the process ended, just before systemd's TimeoutStopSec=15 would.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(14) };
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var e in parse.Errors) await stderr.WriteLineAsync($"stepaudio: {e.Message}");
            await stderr.WriteLineAsync("Try 'stepaudio --help'.");
            return ExitCodes.BadInput;
        }
        try
        {
            return await parse.InvokeAsync(config, ct);
        }
        catch (InvalidInputException e)
        {
            await stderr.WriteLineAsync($"stepaudio: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ToolNotInstalledException e)
        {
            // The machine lacks a program (a TTS for simulate, hil generate, train): say which, no stack trace.
            await stderr.WriteLineAsync($"stepaudio: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
