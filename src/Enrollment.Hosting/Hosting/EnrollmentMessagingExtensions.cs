using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.Messaging;
using OrleansEnrollment.Notifications;

namespace OrleansEnrollment.Hosting;

public static class EnrollmentMessagingExtensions
{
    /// <summary>
    /// The MassTransit bus and its consumers: in memory by default, RabbitMQ when <c>Messaging:Transport</c> is
    /// <c>RabbitMq</c> (with <c>Messaging:RabbitMq:Host</c>, <c>Port</c>, <c>VirtualHost</c>, <c>Username</c>, <c>Password</c>).
    /// </summary>
    /// <param name="addConsumers">Registers further consumers on the same bus (MassTransit allows one registration per host).</param>
    public static IServiceCollection AddEnrollmentMessaging(
        this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator>? addConsumers = null)
    {
        var options = configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<EnrollmentNotificationConsumer, EnrollmentNotificationConsumerDefinition>();
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
