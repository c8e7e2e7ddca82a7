using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEnrollment.Hosting;

/// <summary>
/// A self-signed certificate for both TLS ends (server and client authentication), written as a PKCS#12 file: what a
/// test or a local run uses as the cluster certificate (<see cref="ClusterTls"/>) or to encrypt the key ring. A
/// deployment makes its own (docker-compose.yml shows one way).
/// </summary>
public static class SelfSignedCertificate
{
    public static X509Certificate2 Create(string name, TimeSpan? lifetime = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var subjectNames = new SubjectAlternativeNameBuilder();
        subjectNames.AddDnsName(name);
        request.CertificateExtensions.Add(subjectNames.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now + (lifetime ?? TimeSpan.FromDays(365)));
    }

    /// <summary>Writes the certificate with its private key to <paramref name="path"/>.</summary>
    public static void WritePkcs12(X509Certificate2 certificate, string path, string? password)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
    }
}
