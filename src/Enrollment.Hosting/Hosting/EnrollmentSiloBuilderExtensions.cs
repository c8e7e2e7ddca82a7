using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Streams;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Mail;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.Offers;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Hosting;

public static class EnrollmentSiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to run the enrollment grains: the PostgreSQL store, grain storage, the domain-event
    /// streams, the outbox relay and the message bus. Hosts and test clusters call this one method, so they run the
    /// same system. Clustering is the host's choice (<see cref="EnrollmentClusterExtensions"/>).
    /// </summary>
    public static ISiloBuilder AddEnrollment(
        this ISiloBuilder silo, string connectionString, IConfiguration configuration, Action<IBusRegistrationConfigurator>? addConsumers = null)
    {
        silo.Services.AddEnrollmentStorage(connectionString);
        silo.Services.AddEnrollmentOutbox(configuration);
        silo.Services.Configure<OfferOptions>(configuration.GetSection(OfferOptions.Section));
        silo.Services.Configure<SiteOptions>(configuration.GetSection(SiteOptions.Section)); // links in notification mails
        silo.Services.AddHostedService<OfferExpiryPoller>();
        silo.Services.AddEnrollmentMessaging(configuration, addConsumers);
        silo.AddEnrollmentTelemetry(configuration);
        return silo.AddEnrollmentGrainStorage(connectionString).AddEnrollmentStreams();
    }

    /// <summary>
    /// Memory streams carry domain events from an event's grain to its bus bridge. They are not durable, and need
    /// not be: the outbox is. Implicit subscriptions only, so no pub-sub store is needed.
    /// </summary>
    public static ISiloBuilder AddEnrollmentStreams(this ISiloBuilder silo) =>
        silo.AddMemoryStreams(EnrollmentStreams.ProviderName, streams =>
        {
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            streams.ConfigurePartitioning(4);
            // the default 100 ms poll is most of the outbox lag under light load
            streams.ConfigurePullingAgent(agent => agent.Configure(options => options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20)));
        });

    public static IServiceCollection AddEnrollmentOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OutboxOptions>(configuration.GetSection(OutboxOptions.Section));
        services.TryAddSingleton<OutboxStore>();
        services.TryAddSingleton<OutboxDispatchMarker>();
        services.TryAddSingleton<IEnrollmentEventEmitter, StreamEventEmitter>();
        services.AddHostedService<OutboxRelay>();
        services.AddHostedService<NotificationConsumptionCheck>();
        return services;
    }
}
