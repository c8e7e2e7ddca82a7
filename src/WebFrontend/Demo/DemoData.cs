using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.WebFrontend.Accounts;

namespace OrleansEnrollment.WebFrontend.Demo;

/// <summary>
/// In Development, an empty database gets demo accounts and one event of each kind, so the first run has something to
/// show. The accounts are marked as demo accounts (a host outside Development refuses to start while one exists) and
/// none is stored as an admin: the demo admin is an admin because appsettings.Development.json names its address, so
/// the role goes with the environment. Their passwords are in the README, never in a log.
/// </summary>
public static partial class DemoData
{
    public const string UserPassword = "demo-user-password";

    public static readonly (string Email, string Password, string DisplayName)[] Accounts =
    [
        ("admin@demo.local", "demo-admin-password", "Ada Admin"),
        ("alice@demo.local", UserPassword, "Alice Example"),
        ("bob@demo.local", UserPassword, "Bob Example"),
        ("carol@demo.local", UserPassword, "Carol Example"),
    ];

    public static async Task SeedAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        var accounts = services.GetRequiredService<UserAccounts>();
        if (!await accounts.AnyAsync(cancellationToken))
        {
            foreach (var (email, password, displayName) in Accounts)
            {
                await accounts.CreateConfirmedAsync(email, password, displayName, demo: true, cancellationToken);
            }

            LogSeeded(logger, Accounts.Length);
        }

        var catalog = services.GetRequiredService<EventCatalog>();
        if ((await catalog.ListAsync(cancellationToken)).Count == 0)
        {
            var nextWeek = DateTimeOffset.UtcNow.Date.AddDays(7).AddHours(18);
            await catalog.CreateAsync(
                new EventDetails("Orleans community meetup", nextWeek, nextWeek.AddHours(3),
                    "Talks on grains, streams and clustering, then drinks.\nBring questions: the last hour is an open Q&A.",
                    "Community hall, 12 Example Street", "Europe/Paris"),
                EnrollmentPolicy.Unlimited, cancellationToken);
            await catalog.CreateAsync("Hands-on actor workshop", nextWeek.AddDays(1), new EnrollmentPolicy(2, HasWaitlist: true), cancellationToken);
            await catalog.CreateAsync("Speakers' dinner", nextWeek.AddDays(2), new EnrollmentPolicy(1, HasWaitlist: false), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Count} demo accounts (addresses and passwords: see the README)")]
    private static partial void LogSeeded(ILogger logger, int count);
}
