namespace StepAudio.Automotive.Mqtt;

/// <summary>A broker address from <c>mqtt://host[:port]</c> (1883) or <c>mqtts://host[:port]</c> (8883).</summary>
public sealed record GatewayAddress(string Host, int Port, bool Tls)
{
    public static GatewayAddress Parse(string uri, string source)
    {
        if (!TryParse(uri, out var address, out var problem)) throw new InvalidInputException(source, problem);
        return address;
    }

    public static bool TryParse(string uri, out GatewayAddress address, out string problem)
    {
        address = new GatewayAddress("", 0, false);
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || u.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(u.Host))
        {
            problem = $"'{uri}' is not mqtt://host:port or mqtts://host:port";
            return false;
        }
        var tls = u.Scheme == "mqtts";
        address = new GatewayAddress(u.Host, u.IsDefaultPort || u.Port < 0 ? (tls ? 8883 : 1883) : u.Port, tls);
        problem = "";
        return true;
    }

    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
