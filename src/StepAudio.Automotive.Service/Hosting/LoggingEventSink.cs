using System.Text.Json;
using Microsoft.Extensions.Logging;
using StepAudio.Automotive.Events;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>Writes each event to the log (journald under systemd) as its contract JSON.</summary>
public sealed partial class LoggingEventSink(ILogger<LoggingEventSink> logger) : IEventSink
{
    public void Publish(CabinEvent e)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        var json = JsonSerializer.Serialize(e, EventJsonContext.Default.CabinEvent);
        LogEvent(logger, json);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "event {Json}")]
    private static partial void LogEvent(ILogger logger, string json);
}
