using MassTransit;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansEnrollment.Hosting;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>Real Orleans clusters (in-process silos) running the whole enrollment system on the test database.</summary>
public static class EnrollmentTestCluster
{
    // Bursts queue thousands of calls on one grain; the default 30 s response timeout would be the flaky part.
    private static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromMinutes(3);

    /// <summary>How often a test cluster looks for expired offers; off (an hour) unless a test asks (<see cref="WithOfferExpiry"/>).</summary>
    public const string OfferExpirySetting = "Offers:ExpiryPollInterval";

    /// <summary>Settings that turn offer expiry on, at the production interval.</summary>
    public static IReadOnlyDictionary<string, string?> WithOfferExpiry(IReadOnlyDictionary<string, string?>? settings = null) =>
        new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { [OfferExpirySetting] = "00:00:00.5" };

    /// <param name="settings">Configuration as the hosts read it (e.g. <c>Outbox:RedeliverAfter</c>, <c>Messaging:Transport</c>).</param>
    /// <param name="configure">Extra silo configuration, applied after the system's own (to replace a service, say).</param>
    /// <param name="addConsumers">Extra bus consumers on every silo, e.g. one that records what reached the bus.</param>
    /// <param name="responseTimeout">How long a call may wait for its answer (a test that kills silos wants failures fast).</param>
    public static async Task<InProcessTestCluster> StartAsync(
        string connectionString,
        short silos = 3,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<ISiloBuilder>? configure = null,
        Action<IBusRegistrationConfigurator>? addConsumers = null,
        TimeSpan? responseTimeout = null)
    {
        var timeout = responseTimeout ?? DefaultResponseTimeout;
        // Offer expiry is off unless a test asks for it: the test database keeps the offers earlier tests left standing,
        // and a cluster that woke their grains would commit groups of its own in the middle of a test that counts groups.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [OfferExpirySetting] = "01:00:00" })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            configure?.Invoke(silo);
            silo.AddEnrollment(connectionString, configuration, addConsumers);
            silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = timeout);
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = timeout));

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
