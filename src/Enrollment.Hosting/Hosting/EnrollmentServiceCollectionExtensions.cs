using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Database;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Notifications;

namespace OrleansEnrollment.Hosting;

public static class EnrollmentServiceCollectionExtensions
{
    /// <summary>Registers the PostgreSQL store, catalog and queries that the grains and hosts use.</summary>
    public static IServiceCollection AddEnrollmentStorage(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => EnrollmentDataSource.Create(connectionString));
        services.TryAddSingleton<IEnrollmentStore, PostgresEnrollmentStore>();
        services.TryAddSingleton<EventCatalog>();
        services.TryAddSingleton<EventDeletion>();
        services.TryAddSingleton<EnrollmentQueries>();
        services.TryAddSingleton<ExpiredOffers>();
        services.TryAddSingleton<EnrollmentExports>();
        services.TryAddSingleton<NotificationQueries>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
