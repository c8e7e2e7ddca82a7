using System.Security.Cryptography.X509Certificates;
using OrleansEnrollment.Hosting;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// The test run's certificates, as files the apps read from configuration: the cluster certificate (mutual TLS between
/// silos and clients) and the key ring's. Outside Development the apps refuse to start without them.
/// </summary>
public static class TestCertificates
{
    public const string Password = "test-certificate-password";

    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "orleans-enrollment-tests", "certificates-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    });

    private static readonly Lazy<string> ClusterPath = new(() => Write("cluster.enrollment.test"));

    private static readonly Lazy<string> KeyRingPath = new(() => Write("keyring.enrollment.test"));

    public static string Cluster => ClusterPath.Value;

    public static string KeyRing => KeyRingPath.Value;

    public static X509Certificate2 LoadCluster() => X509CertificateLoader.LoadPkcs12FromFile(Cluster, Password);

    /// <summary>The settings that give an app both certificates (keys as configuration names them: colons).</summary>
    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [$"{ClusterTls.Section}:CertificatePath"] = Cluster,
        [$"{ClusterTls.Section}:CertificatePassword"] = Password,
        ["DataProtection:CertificatePath"] = KeyRing,
        ["DataProtection:CertificatePassword"] = Password,
    };

    /// <summary>The same as environment variables for an app started as a process.</summary>
    public static IReadOnlyDictionary<string, string> Environment =>
        Settings.ToDictionary(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal), pair => pair.Value!);

    /// <summary>A certificate of its own, which no app of the test run trusts.</summary>
    public static string WriteStranger()
    {
        var path = Path.Combine(Folder.Value, $"stranger-{Guid.NewGuid():N}.pfx");
        SelfSignedCertificate.WritePkcs12(SelfSignedCertificate.Create("stranger.enrollment.test"), path, Password);
        return path;
    }

    private static string Write(string name)
    {
        var path = Path.Combine(Folder.Value, name + ".pfx");
        SelfSignedCertificate.WritePkcs12(SelfSignedCertificate.Create(name), path, Password);
        return path;
    }
}
