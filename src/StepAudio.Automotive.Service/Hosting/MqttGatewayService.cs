using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepAudio.Automotive.Cabin;
using StepAudio.Automotive.Events;
using StepAudio.Automotive.Mqtt;
using StepAudio.Automotive.Mqtt.Control;

namespace StepAudio.Automotive.Service.Hosting;

/// <summary>
/// The service's MQTT side: starts the embedded broker when no gateway is configured, then the
/// publisher (outbox, reconnect loop, control topics). Registered before the pipeline so it is up
/// before the first event; as an event sink it hands events to the publisher.
/// </summary>
public sealed partial class MqttGatewayService(
    IOptions<StepAudioOptions> options,
    CabinProfile profile,
    ControlState control,
    ILoggerFactory loggers) : IHostedService, IEventSink, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<MqttGatewayService>();
    private EmbeddedBroker? _broker;
    private GatewayPublisher? _publisher;

    public GatewayPublisher? Publisher => _publisher;

    public EmbeddedBroker? Broker => _broker;

    public void Publish(CabinEvent e) => _publisher?.Publish(e);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value.Mqtt;
        if (!o.Enabled) return;
        GatewayAddress gateway;
        if (!string.IsNullOrWhiteSpace(o.Gateway))
        {
            gateway = GatewayAddress.Parse(o.Gateway, "StepAudio:Mqtt:Gateway");
        }
        else if (o.EmbeddedBroker.Enabled)
        {
            _broker = await EmbeddedBroker.StartAsync(o.EmbeddedBroker.Port);
            gateway = GatewayAddress.Parse(_broker.Uri, "StepAudio:Mqtt:EmbeddedBroker");
            LogEmbedded(_logger, _broker.Port);
        }
        else
        {
            LogNoBroker(_logger);
            return;
        }
        var zones = profile.Zones.Select(z => z.Name).ToList();
        try
        {
            _publisher = new GatewayPublisher(o, gateway, TimeProvider.System, loggers.CreateLogger<GatewayPublisher>(), new ControlHandler(control, zones, o.MaxControlBytes));
        }
        catch (InvalidInputException)
        {
            // No outbox (e.g. OutboxPath not writable): the service stops with that message; leave no broker behind.
            if (_broker is not null) await _broker.DisposeAsync();
            _broker = null;
            throw;
        }
        _publisher.Start();
    }

    /// <summary>Gives the broker a moment to take what is left; the rest stays in the outbox for next time.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Whoever takes the publisher (stop or dispose, which the host may overlap) disposes it, once.
        if (Interlocked.Exchange(ref _publisher, null) is { } publisher)
        {
            try
            {
                await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(options.Value.Mqtt.StopDrainSeconds), ct: cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out first (a broker that does not answer): stopping must not
                // crash the process; what is unacknowledged stays in the outbox and goes out after the restart.
                LogStopTimedOut(_logger, publisher.Outbox.Unacknowledged);
            }
            finally
            {
                await publisher.DisposeAsync();
            }
        }
        if (Interlocked.Exchange(ref _broker, null) is { } broker) await broker.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _publisher, null) is { } publisher) await publisher.DisposeAsync();
        if (Interlocked.Exchange(ref _broker, null) is { } broker) await broker.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No MQTT gateway configured: embedded broker on 127.0.0.1:{Port}")]
    private static partial void LogEmbedded(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping before the broker acknowledged everything: {Count} messages stay in the outbox for the next start")]
    private static partial void LogStopTimedOut(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No MQTT gateway configured and the embedded broker is off: events are not published over MQTT")]
    private static partial void LogNoBroker(ILogger logger);
}
