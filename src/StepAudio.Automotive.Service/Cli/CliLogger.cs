using Microsoft.Extensions.Logging;

namespace StepAudio.Automotive.Service.Cli;

/// <summary>
/// The one-shot commands' logger: warnings and errors as plain "stepaudio: warning: …" lines on the command's
/// stderr, so what the service would log (a provider falling back, an INT8 file missing) is not silent in
/// <c>replay</c> or <c>vision score</c>. The <c>run</c> host has its own logging.
/// </summary>
internal sealed class CliLogger(TextWriter stderr) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var level = logLevel == LogLevel.Warning ? "warning" : "error";
        stderr.WriteLine(exception is null ? $"stepaudio: {level}: {formatter(state, null)}" : $"stepaudio: {level}: {formatter(state, exception)}: {exception.Message}");
    }
}
