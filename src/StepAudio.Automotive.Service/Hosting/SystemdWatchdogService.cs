using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>
/// Feeds systemd's watchdog (WatchdogSec=) only while the pipeline makes progress, so a stalled
/// capture or inference loop stops the heartbeat and systemd restarts the service; also keeps
/// STATUS= current. Does nothing outside systemd: <see cref="ISystemdNotifier"/> is only
/// registered there.
/// </summary>
public sealed class SystemdWatchdogService(IServiceProvider services, PipelineHeartbeat heartbeat, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifier = services.GetService<ISystemdNotifier>();
        if (notifier is null || !notifier.IsEnabled) return;
        var watchdog = WatchdogInterval();
        var feedWatchdog = watchdog is not null;
        var interval = watchdog ?? TimeSpan.FromSeconds(5); // without a watchdog, STATUS= only

        var lastProgress = heartbeat.Progress;
        string? lastStatus = null;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var progress = heartbeat.Progress;
                if (feedWatchdog && progress != lastProgress) notifier.Notify(new ServiceState("WATCHDOG=1"));
                var status = progress == lastProgress ? "stalled: no audio processed; " + heartbeat.Summary : heartbeat.Summary;
                if (status != lastStatus) notifier.Notify(new ServiceState("STATUS=" + status));
                lastProgress = progress;
                lastStatus = status;
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; null when no watchdog is set for this process.</summary>
    private static TimeSpan? WatchdogInterval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var us) || us <= 0) return null;
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (pid is not null && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)) return null;
        return TimeSpan.FromTicks(us * 10 / 2);
    }
}
