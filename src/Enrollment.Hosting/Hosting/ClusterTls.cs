using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace OrleansEnrollment.Hosting;

/// <summary>
/// Mutual TLS between silos, and between clients and silos, with one cluster certificate from configuration:
/// <c>Orleans:Tls:CertificatePath</c> (a PKCS#12 file with its private key) and <c>Orleans:Tls:CertificatePassword</c>.
/// Every connection, both ways, must present that same certificate (its SHA-256 is pinned), so only a holder of the
/// cluster's private key can join the cluster or call a grain: the gateway port no longer admits whoever reaches it.
/// Required outside Development.
/// </summary>
public static class ClusterTls
{
    public const string Section = "Orleans:Tls";

    /// <returns>The cluster certificate, or null when none is configured and none is required.</returns>
    /// <exception cref="InvalidOperationException">Required and not configured, or not readable.</exception>
    public static X509Certificate2? Load(IConfiguration configuration, bool required) =>
        CertificateFiles.Load(configuration, Section, required,
            "Orleans:Tls:CertificatePath is not configured. Outside Development silos and clients only talk over mutual TLS with the " +
            "cluster certificate (a PKCS#12 file with its private key; Orleans:Tls:CertificatePassword for its password).");

    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, X509Certificate2 certificate) =>
        silo.UseTls(options => Configure(options, certificate));

    public static IClientBuilder UseClusterTls(this IClientBuilder client, X509Certificate2 certificate) =>
        client.UseTls(options => Configure(options, certificate));

    private static void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        var pinned = certificate.GetCertHash(HashAlgorithmName.SHA256);
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // The peer proves it holds the cluster's private key by presenting its certificate in the handshake; the name
        // and the chain do not matter (a self-signed cluster certificate is the usual case), the exact certificate does.
        options.RemoteCertificateValidation = (remote, _, _) => CryptographicOperations.FixedTimeEquals(remote.GetCertHash(HashAlgorithmName.SHA256), pinned);
        options.OnAuthenticateAsClient = (_, authentication) => authentication.TargetHost = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }
}

/// <summary>Certificates the hosts read from files named in configuration.</summary>
public static class CertificateFiles
{
    /// <param name="section">Where <c>CertificatePath</c> and <c>CertificatePassword</c> are.</param>
    public static X509Certificate2? Load(IConfiguration configuration, string section, bool required, string missing)
    {
        var path = configuration[$"{section}:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return required ? throw new InvalidOperationException(missing) : null;
        }

        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[$"{section}:CertificatePassword"]);
            return certificate.HasPrivateKey
                ? certificate
                : throw new InvalidOperationException($"The certificate in {section}:CertificatePath ({path}) has no private key.");
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException($"{section}:CertificatePath ({path}) cannot be read: {exception.Message}", exception);
        }
    }
}
