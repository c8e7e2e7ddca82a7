using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Hosting;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// Finding 6 (medium): silo and gateway ports listened on every address with no TLS and no authentication, so whoever
/// reached the gateway port could call <see cref="IEventCapacityGrain"/> directly, past every check of the web
/// frontend. Here the web frontend's co-hosted silo listens on a real TCP gateway (outside Development, so with the
/// cluster certificate, <see cref="ClusterTls"/>), and a client built as an intruder would build one tries it: without
/// a certificate, or with another, no grain call gets through; with the cluster's, the same client does.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ClusterTlsTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly int gatewayPort = FreePort();
    private WebAppFactory app = null!;

    public Task InitializeAsync()
    {
        app = new WebAppFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Orleans:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        app.CreateClient().Dispose(); // started: the silo listens
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_client_without_the_cluster_certificate_cannot_call_a_grain_and_one_with_it_can()
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        var gateway = new IPEndPoint(IPAddress.Loopback, gatewayPort);

        // what an intruder who reaches the gateway port tries: plain TCP, then TLS with a certificate of their own
        Assert.NotNull(await CallThroughTheGatewayAsync(gateway, evt.Id, tls: null));
        Assert.NotNull(await CallThroughTheGatewayAsync(gateway, evt.Id, X509CertificateLoader.LoadPkcs12FromFile(TestCertificates.WriteStranger(), TestCertificates.Password)));
        Assert.Empty(await database.Queries.ListAsync(evt.Id));

        // the same client with the cluster certificate gets through: the refusals were the certificate's doing
        Assert.Null(await CallThroughTheGatewayAsync(gateway, evt.Id, TestCertificates.LoadCluster()));
        Assert.Single(await database.Queries.ListAsync(evt.Id));
    }

    /// <returns>Why the call failed, or null when it enrolled someone.</returns>
    private static async Task<Exception?> CallThroughTheGatewayAsync(IPEndPoint gateway, Guid eventId, X509Certificate2? tls)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateway)
                .Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = new EnrollmentClusterOptions().ClusterId;
                    options.ServiceId = new EnrollmentClusterOptions().ServiceId;
                })
                .Configure<ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(10))
                .UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            if (tls is not null)
            {
                client.UseClusterTls(tls);
            }
        });
        using var intruder = builder.Build();

        var failure = await Record.ExceptionAsync(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await intruder.StartAsync(timeout.Token);
            var answer = await intruder.Services.GetRequiredService<IClusterClient>().GetGrain<IEventCapacityGrain>(eventId).Enroll(Guid.NewGuid(), Guid.NewGuid());
            Assert.True(answer.IsConfirmed);
        });

        await intruder.StopAsync(CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        return failure;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
