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

    /// <summary>One data-protection key ring for all web frontends, kept in the enrollment database.</summary>
    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new PostgresXmlRepository(provider.GetRequiredService<NpgsqlDataSource>())));
        return services;
    }
}
