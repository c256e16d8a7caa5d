using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace StepAudio.Automotive.Mqtt;

/// <summary>
/// TLS 1.2/1.3 to the gateway: our client certificate, and a broker certificate that must chain to
/// the configured CA file alone (the system store is not trusted), optionally pinned to one CA by
/// its SHA-256.
/// </summary>
public static class GatewayTls
{
    public static MqttClientTlsOptions Build(GatewayTlsOptions options, string host)
    {
        var builder = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
            .WithTargetHost(string.IsNullOrWhiteSpace(options.ServerName) ? host : options.ServerName);
        if (!string.IsNullOrWhiteSpace(options.ClientCertFile))
            builder.WithClientCertificates([LoadClientCertificate(options.ClientCertFile, options.ClientKeyFile!)]);

        var roots = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(options.CaFile))
        {
            try
            {
                roots.ImportFromPemFile(options.CaFile);
            }
            catch (CryptographicException e)
            {
                throw new InvalidInputException(options.CaFile, $"not a PEM CA certificate: {e.Message}", e);
            }
            if (roots.Count == 0) throw new InvalidInputException(options.CaFile, "holds no certificate");
        }
        var pin = options.PinnedCaSha256?.Replace(":", "", StringComparison.Ordinal);
        builder.WithCertificateValidationHandler(e => IsTrusted(e, roots, pin));
        return builder.Build();
    }

    public static X509Certificate2 LoadClientCertificate(string certFile, string keyFile)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // SslStream wants a certificate whose key it can hand to the TLS library: go through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new InvalidInputException(certFile, $"cannot load the client certificate with key {keyFile}: {e.Message}", e);
        }
    }

    private static bool IsTrusted(MqttClientCertificateValidationEventArgs e, X509Certificate2Collection roots, string? pin)
    {
        if (e.Certificate is null) return false;
        if ((e.SslPolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        if ((e.SslPolicyErrors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (roots.Count > 0)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        }
        if (e.Chain is not null)
            foreach (var element in e.Chain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        using var leaf = X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData());
        if (!chain.Build(leaf)) return false;
        if (string.IsNullOrEmpty(pin)) return true;
        var anchor = chain.ChainElements[^1].Certificate;
        return string.Equals(Convert.ToHexString(SHA256.HashData(anchor.RawData)), pin, StringComparison.OrdinalIgnoreCase);
    }
}
