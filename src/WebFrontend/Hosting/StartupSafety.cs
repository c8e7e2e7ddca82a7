using Microsoft.Extensions.Options;
using OrleansEnrollment.Mail;
using OrleansEnrollment.WebFrontend.Accounts;
using OrleansEnrollment.WebFrontend.Demo;

namespace OrleansEnrollment.WebFrontend.Hosting;

/// <summary>
/// What a web frontend does before it serves anything: outside Development it refuses to start while a demo account
/// exists (its password is public) or without <c>Site:PublicBaseUrl</c> (links in mails would point elsewhere); in
/// Development it seeds the demo data; everywhere it makes sure the bootstrap admin exists.
/// </summary>
public static partial class StartupSafety
{
    public static async Task PrepareAsync(WebApplication app, ILogger logger, CancellationToken cancellationToken = default)
    {
        var roles = app.Services.GetRequiredService<AdminRoles>();
        if (app.Environment.IsDevelopment())
        {
            await DemoData.SeedAsync(app.Services, logger, cancellationToken);
        }
        else
        {
            if (await roles.AnyDemoAccountAsync(cancellationToken))
            {
                throw new InvalidOperationException(
                    "The database holds the development demo accounts, whose passwords are published: this host does not start outside " +
                    "Development until they are deleted (DELETE FROM users WHERE is_demo).");
            }

            if (string.IsNullOrWhiteSpace(app.Configuration[$"{SiteOptions.Section}:{nameof(SiteOptions.PublicBaseUrl)}"]))
            {
                throw new InvalidOperationException(
                    "Site:PublicBaseUrl is not configured: the links in account mails would not point at this site. Set it to the address people open, " +
                    "e.g. https://enroll.example.com.");
            }
        }

        var bootstrap = app.Services.GetRequiredService<IOptions<AccountOptions>>().Value.BootstrapAdmin;
        LogBootstrap(logger, await roles.EnsureBootstrapAdminAsync(bootstrap, cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admins: {Outcome}")]
    private static partial void LogBootstrap(ILogger logger, string outcome);
}
