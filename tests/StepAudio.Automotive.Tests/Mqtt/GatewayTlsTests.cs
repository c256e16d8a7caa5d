using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StepAudio.Automotive.Mqtt;

namespace StepAudio.Automotive.Tests.Mqtt;

/// <summary>TLS to a real Mosquitto with certificates made here: a test CA, the broker's and our client's.</summary>
public class GatewayTlsTests
{
    private sealed record Pki(string Dir, string CaFile, string CaSha256, string ClientCert, string ClientKey, string OtherCaFile);

    private static Pki MakePki()
    {
        var dir = TestPaths.NewTempDir();
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var ca = MakeCa("CN=StepAudio Test Gateway CA", now);
        using var other = MakeCa("CN=Somebody Else CA", now);
        File.WriteAllText(Path.Combine(dir, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "other-ca.crt"), other.ExportCertificatePem());
        Leaf(ca, "CN=localhost", serverAuth: true, dir, "server", now);
        Leaf(ca, "CN=stepaudio-TESTVIN", serverAuth: false, dir, "client", now);
        return new Pki(dir, Path.Combine(dir, "ca.crt"), Convert.ToHexString(SHA256.HashData(ca.RawData)),
            Path.Combine(dir, "client.crt"), Path.Combine(dir, "client.key"), Path.Combine(dir, "other-ca.crt"));
    }

    private static X509Certificate2 MakeCa(string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return req.CreateSelfSigned(now, now.AddDays(2));
    }

    private static void Leaf(X509Certificate2 ca, string name, bool serverAuth, string dir, string file, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
        }
        using var cert = req.Create(ca, now, now.AddDays(1), RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(Path.Combine(dir, file + ".crt"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, file + ".key"), key.ExportPkcs8PrivateKeyPem());
    }

    private static MosquittoBroker TlsBroker(Pki pki) => new($"""
        cafile {pki.CaFile}
        certfile {Path.Combine(pki.Dir, "server.crt")}
        keyfile {Path.Combine(pki.Dir, "server.key")}
        require_certificate true
        use_identity_as_username true
        tls_version tlsv1.2
        """);

    private static MqttOptions Options(Pki pki, Action<GatewayTlsOptions> tls)
    {
        var o = GatewayRoundTripTests.Options(TestPaths.NewTempDir(), "TESTVIN");
        o.Tls = new GatewayTlsOptions { CaFile = pki.CaFile, ClientCertFile = pki.ClientCert, ClientKeyFile = pki.ClientKey };
        tls(o.Tls);
        Assert.Empty(o.Validate());
        return o;
    }

    [Fact]
    public async Task PublishesOverTlsWithAClientCertificateAndAPinnedCa()
    {
        var pki = MakePki();
        using var broker = TlsBroker(pki);
        var options = Options(pki, t => t.PinnedCaSha256 = pki.CaSha256);
        await using var publisher = new GatewayPublisher(options, GatewayAddress.Parse($"mqtts://localhost:{broker.Port}", "test"));
        publisher.Start();
        for (var i = 0; i < 20; i++) publisher.Enqueue(SampleEvents.Intent(i, i));
        Assert.True(await publisher.WaitDrainedAsync(TimeSpan.FromSeconds(20)), $"connect failures: {publisher.ConnectFailures}");
        Assert.Equal(20, publisher.Acked);
        Assert.Equal(1, publisher.Connects);
    }

    public static TheoryData<string> Untrusted() => ["other CA file", "wrong pin", "no client certificate"];

    [Theory]
    [MemberData(nameof(Untrusted))]
    public async Task RefusesABrokerItDoesNotTrustOrThatRefusesUs(string fault)
    {
        var pki = MakePki();
        using var broker = TlsBroker(pki);
        var options = Options(pki, t =>
        {
            if (fault == "other CA file") t.CaFile = pki.OtherCaFile;
            if (fault == "wrong pin") t.PinnedCaSha256 = new string('A', 64);
            if (fault == "no client certificate") t.ClientCertFile = t.ClientKeyFile = null;
        });
        await using var publisher = new GatewayPublisher(options, GatewayAddress.Parse($"mqtts://localhost:{broker.Port}", "test"));
        publisher.Start();
        publisher.Enqueue(SampleEvents.Intent(1, 1));
        // Wait for a few failed attempts (the count, not the clock, decides), then nothing got through.
        Assert.False(await publisher.WaitDrainedAsync(TimeSpan.Zero));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (publisher.ConnectFailures < 3 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(publisher.ConnectFailures >= 3);
        Assert.Equal(0, publisher.Connects);
        Assert.Equal(1, publisher.Outbox.Unacknowledged);
    }
}
