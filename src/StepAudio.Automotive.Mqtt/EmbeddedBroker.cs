using System.Net;
using MQTTnet.Server;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// A broker inside the service (MQTTnet.Server) on loopback, for when no gateway is configured: the
/// service runs out of the box and a local subscriber can watch. Sessions live in memory.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly MqttServerOptions _options;

    private EmbeddedBroker(MqttServer server, MqttServerOptions options)
    {
        _server = server;
        _options = options;
    }

    /// <summary>The port it listens on (the free one picked when started with port 0).</summary>
    public int Port => _options.DefaultEndpointOptions.Port;

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public static async Task<EmbeddedBroker> StartAsync(int port)
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None) // no IPv6 listener: loopback IPv4 only
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(10_000)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        try
        {
            await server.StartAsync();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            server.Dispose();
            throw new InvalidInputException($"StepAudio:Mqtt:EmbeddedBroker:Port", $"cannot listen on 127.0.0.1:{port}: {e.Message}", e);
        }
        return new EmbeddedBroker(server, options);
    }

    /// <summary>Drops a client as the broker (not a clean disconnect from the client: its will is published).</summary>
    public Task DisconnectClientAsync(string clientId) =>
        _server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MQTTnet.Protocol.MqttDisconnectReasonCode.AdministrativeAction });

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(new MqttServerStopOptions());
        _server.Dispose();
    }
}
