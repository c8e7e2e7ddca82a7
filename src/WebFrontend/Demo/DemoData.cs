using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Demo;

/// <summary>
/// In Development, an empty database gets demo accounts and one event of each kind, so the first run has something to
/// show. The credentials are fixed (and printed at start-up) because they only ever exist on a developer's machine.
/// </summary>
public static class DemoData
{
    public static readonly (string Email, string Password, string DisplayName, bool Admin)[] Accounts =
    [
        ("admin@demo.local", "demo-admin-password", "Ada Admin", true),
        ("alice@demo.local", "demo-user-password", "Alice Example", false),
        ("bob@demo.local", "demo-user-password", "Bob Example", false),
        ("carol@demo.local", "demo-user-password", "Carol Example", false),
    ];

    public static async Task SeedAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        var accounts = services.GetRequiredService<UserAccounts>();
        if (!await accounts.AnyAsync(cancellationToken))
        {
            foreach (var (email, password, displayName, admin) in Accounts)
            {
                await accounts.RegisterAsync(email, password, displayName, cancellationToken);
                if (admin)
                {
                    await accounts.GrantAdminAsync(email, cancellationToken);
                }
            }
        }

        var catalog = services.GetRequiredService<EventCatalog>();
        if ((await catalog.ListAsync(cancellationToken)).Count == 0)
        {
            var nextWeek = DateTimeOffset.UtcNow.Date.AddDays(7).AddHours(18);
            await catalog.CreateAsync("Orleans community meetup", nextWeek, EnrollmentPolicy.Unlimited, cancellationToken);
            await catalog.CreateAsync("Hands-on actor workshop", nextWeek.AddDays(1), new EnrollmentPolicy(2, HasWaitlist: true), cancellationToken);
            await catalog.CreateAsync("Speakers' dinner", nextWeek.AddDays(2), new EnrollmentPolicy(1, HasWaitlist: false), cancellationToken);
        }

        foreach (var (email, password, _, admin) in Accounts)
        {
            logger.LogInformation("Demo account: {Email} / {Password}{Role}", email, password, admin ? " (admin)" : "");
        }
    }
}
