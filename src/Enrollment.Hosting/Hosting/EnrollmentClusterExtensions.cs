using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;

namespace OrleansEnrollment.Hosting;

/// <summary>Clustering for silos and clients, from <see cref="EnrollmentClusterOptions"/>: one place, so both sides agree.</summary>
public static class EnrollmentClusterExtensions
{
    /// <summary>The ADO.NET invariant name under which Orleans finds Npgsql's provider factory.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <param name="tls">The cluster certificate (<see cref="ClusterTls"/>); null for plain TCP, in Development only.</param>
    public static ISiloBuilder UseEnrollmentCluster(this ISiloBuilder silo, EnrollmentClusterOptions cluster, string connectionString, X509Certificate2? tls)
    {
        if (tls is not null)
        {
            silo.UseClusterTls(tls);
        }

        if (cluster.ClusteringProvider == ClusteringKind.Localhost)
        {
            return silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        }

        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = cluster.ClusterId;
            options.ServiceId = cluster.ServiceId;
        });
        if (string.IsNullOrWhiteSpace(cluster.AdvertisedIPAddress))
        {
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIPAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }

        return silo.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <param name="tls">The cluster certificate (<see cref="ClusterTls"/>); null for plain TCP, in Development only.</param>
    public static IClientBuilder UseEnrollmentCluster(this IClientBuilder client, EnrollmentClusterOptions cluster, string connectionString, X509Certificate2? tls)
    {
        if (tls is not null)
        {
            client.UseClusterTls(tls);
        }

        if (cluster.ClusteringProvider == ClusteringKind.Localhost)
        {
            client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }
        else
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            client.UseAdoNetClustering(options =>
            {
                options.Invariant = PostgresInvariant;
                options.ConnectionString = connectionString;
            });
        }

        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = cluster.GatewayListRefreshPeriod);

        // Started together (docker compose, the topology test), the client may look before any silo is listed as
        // active; it retries instead of failing the host, up to ClientConnectTimeout.
        DateTime? firstFailure = null;
        return client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            firstFailure ??= DateTime.UtcNow;
            if (DateTime.UtcNow - firstFailure >= cluster.ClientConnectTimeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        });
    }

    /// <summary>
    /// ADO.NET grain storage on the enrollment database, as the default storage and as "PubSubStore" (the store
    /// explicit stream subscriptions would need; ours are implicit-only today, so it stays empty until they are not).
    /// </summary>
    public static ISiloBuilder AddEnrollmentGrainStorage(this ISiloBuilder silo, string connectionString)
    {
        void Configure(AdoNetGrainStorageOptions options)
        {
            options.Invariant = PostgresInvariant;
            options.ConnectionString = connectionString;
        }

        return silo.AddAdoNetGrainStorageAsDefault(Configure).AddAdoNetGrainStorage("PubSubStore", Configure);
    }
}
