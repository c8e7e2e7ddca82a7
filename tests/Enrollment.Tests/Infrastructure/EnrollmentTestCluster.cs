using Orleans.Configuration;
using OrleansEnrollment.Hosting;
using Orleans.TestingHost;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>Real Orleans clusters (in-process silos) running the enrollment grains on the test database.</summary>
public static class EnrollmentTestCluster
{
    // Bursts queue thousands of calls on one grain; the default 30 s response timeout would be the flaky part.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(3);

    public static async Task<InProcessTestCluster> StartAsync(string connectionString, short silos = 3)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddEnrollmentStorage(connectionString);
            silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = ResponseTimeout);
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = ResponseTimeout));

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
