using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.Messaging;
using OrleansEnrollment.Notifications;

namespace OrleansEnrollment.Hosting;

public static class EnrollmentMessagingExtensions
{
    /// <summary>About three and a half minutes of retrying in all (0.7 s, 1.2 s, 2.2 s … then 30 s apart): enough to ride out a database restart or failover.</summary>
    private const int ConsumerRetries = 12;

    /// <summary>
    /// The MassTransit bus and its consumers: in memory by default, RabbitMQ when <c>Messaging:Transport</c> is
    /// <c>RabbitMq</c> (with <c>Messaging:RabbitMq:Host</c>, <c>Port</c>, <c>VirtualHost</c>, <c>Username</c>, <c>Password</c>).
    /// </summary>
    /// <param name="addConsumers">Registers further consumers on the same bus (MassTransit allows one registration per host).</param>
    public static IServiceCollection AddEnrollmentMessaging(
        this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator>? addConsumers = null)
    {
        var options = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        services.AddSingleton<NotificationQueries>();
        services.AddMassTransit(bus =>
        {
            // The bridge marks a domain event dispatched once the bus has it; a consumer that then fails (its database
            // restarting, a connection killed) must try again, or the notification is lost for good.
            bus.AddConsumer<EnrollmentNotificationConsumer>((_, consumer) => consumer.UseMessageRetry(retry =>
                retry.Exponential(ConsumerRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500))));
            addConsumers?.Invoke(bus);
            switch (options.Transport)
            {
                case MessageTransport.RabbitMq:
                    var rabbit = options.RabbitMq;
                    bus.UsingRabbitMq((context, transport) =>
                    {
                        transport.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, host =>
                        {
                            host.Username(rabbit.Username);
                            host.Password(rabbit.Password);
                        });
                        transport.ConfigureEndpoints(context);
                    });
                    break;
                default:
                    bus.UsingInMemory((context, transport) => transport.ConfigureEndpoints(context));
                    break;
            }
        });
        return services;
    }
}
