using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OrleansEnrollment.WebFrontend.Health;

namespace OrleansEnrollment.Tests.Web;

/// <summary>The readiness check's answer when PostgreSQL is not there: unhealthy, and quickly.</summary>
public sealed class PostgresHealthCheckTests
{
    [Fact]
    public async Task An_unreachable_server_is_unhealthy_within_the_timeout()
    {
        await using var dataSource = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={ClosedPort()};Username=nobody;Timeout=2");
        var check = new PostgresHealthCheck(dataSource);
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("postgresql", check, HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(3)),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();

        var result = await check.CheckHealthAsync(context, timeout.Token);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.NotNull(result.Exception);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    /// <summary>A loopback port nothing listens on: the connection is refused at once.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
