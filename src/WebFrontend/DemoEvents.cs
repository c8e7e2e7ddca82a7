using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.WebFrontend;

/// <summary>In Development, an empty database gets one event of each kind, so the first run has something to show.</summary>
public static class DemoEvents
{
    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var catalog = services.GetRequiredService<EventCatalog>();
        if ((await catalog.ListAsync(cancellationToken)).Count > 0)
        {
            return;
        }

        var nextWeek = DateTimeOffset.UtcNow.Date.AddDays(7).AddHours(18);
        await catalog.CreateAsync("Orleans community meetup", nextWeek, EnrollmentPolicy.Unlimited, cancellationToken);
        await catalog.CreateAsync("Hands-on actor workshop", nextWeek.AddDays(1), new EnrollmentPolicy(3, HasWaitlist: true), cancellationToken);
        await catalog.CreateAsync("Speakers' dinner", nextWeek.AddDays(2), new EnrollmentPolicy(2, HasWaitlist: false), cancellationToken);
    }
}
