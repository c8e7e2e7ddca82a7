using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansEnrollment.Hosting;

namespace OrleansEnrollment.Bench;

/// <summary>
/// A silo inside the bench process, configured by the same <c>AddEnrollment</c> as the real hosts (store, outbox relay,
/// streams, bus and its consumers), so grain calls pay what they pay in production minus the network hop.
/// </summary>
public sealed class CoHostedSilo : IAsyncDisposable
{
    private readonly IHost host;

    private CoHostedSilo(IHost host)
    {
        this.host = host;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    public IGrainFactory Grains { get; }

    public static async Task<CoHostedSilo> StartAsync(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = Environments.Production });
        // The bench's own output is the report; the silo speaks up only when something is wrong.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var ports = FreePorts.Take(2);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: ports[0], gatewayPort: ports[1])
            .AddEnrollment(connectionString, builder.Configuration)
            // Hundreds of clients queue on one hot grain; a slow disk must not turn that queue into timeouts.
            .Configure<SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromMinutes(5)));
        var host = builder.Build();
        await host.StartAsync();
        return new CoHostedSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
