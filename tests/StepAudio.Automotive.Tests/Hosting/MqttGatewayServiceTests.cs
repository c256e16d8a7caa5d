using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Mqtt.Control;
using StepAudio.Automotive.Service.Hosting;

namespace StepAudio.Automotive.Tests.Hosting;

public sealed class MqttGatewayServiceTests
{
    /// <summary>A port with nothing listening on it: the gateway never answers.</summary>
    private static int DeadPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task AStopCutShortByTheHostKeepsTheUnsentEventsInTheOutbox()
    {
        var outbox = Path.Combine(TestPaths.NewTempDir(), "outbox.db");
        var options = new StepAudioOptions { Mqtt = new MqttOptions { Gateway = $"mqtt://127.0.0.1:{DeadPort()}", OutboxPath = outbox, StopDrainSeconds = 60 } };
        var service = new MqttGatewayService(Options.Create(options), CabinProfileReader.Load(TestPaths.ConsoleCabin), new ControlState(), NullLoggerFactory.Instance);
        await service.StartAsync(CancellationToken.None);
        service.Publish(new WakeEvent("hey jarvis", "driver", 0.9, 1.0));

        // The host's shutdown timeout (10 s) cancels the stop long before the 60 s drain: the process must not crash.
        using var hostTimeout = new CancellationTokenSource();
        var stop = service.StopAsync(hostTimeout.Token);
        await hostTimeout.CancelAsync();
        await stop;
        await service.DisposeAsync();

        using var kept = new Outbox(outbox, 100, TimeProvider.System);
        Assert.Equal(1, kept.Count);
    }
}
