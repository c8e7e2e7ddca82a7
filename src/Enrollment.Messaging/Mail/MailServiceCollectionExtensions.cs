using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansEnrollment.Mail;

public static class MailServiceCollectionExtensions
{
    /// <summary>The mail outbox, the SMTP transport (<c>Email</c> settings) and the dispatcher that sends the outbox.</summary>
    public static IServiceCollection AddEnrollmentMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MailOptions>(configuration.GetSection(MailOptions.Section));
        services.TryAddSingleton<MailOutbox>();
        services.TryAddSingleton<IMailTransport, SmtpMailTransport>();
        services.AddHostedService<MailDispatcher>();
        return services;
    }
}
