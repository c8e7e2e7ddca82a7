using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansEnrollment.WebFrontend.DataProtection;

namespace OrleansEnrollment.WebFrontend.Hosting;

public static class SharedKeyRingExtensions
{
    // The default discriminator is the content root path, which differs between machines and checkouts; frontends
    // that share keys must also share this name, or each derives its own sub-keys and cannot read the others' tokens.
    public const string ApplicationName = "orleans-enrollment";

    public const string CertificateSection = "DataProtection";

    /// <summary>
    /// One data-protection key ring for all web frontends, kept in the enrollment database. Outside Development the
    /// keys are encrypted with the certificate in <c>DataProtection:CertificatePath</c> before they are stored: a reader
    /// of the table (a backup, a replica) then holds no key that forges sessions.
    /// </summary>
    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (OrleansEnrollment.Hosting.CertificateFiles.Load(configuration, CertificateSection, required: !environment.IsDevelopment(),
                "DataProtection:CertificatePath is not configured. Outside Development the key ring is stored encrypted with a certificate " +
                "(a PKCS#12 file with its private key; DataProtection:CertificatePassword for its password).") is { } certificate)
        {
            // Decrypted with this certificate too, not one looked up in the machine's store (containers have none).
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new PostgresXmlRepository(provider.GetRequiredService<NpgsqlDataSource>())));
        return services;
    }
}
