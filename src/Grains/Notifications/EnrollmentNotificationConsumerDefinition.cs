using MassTransit;

namespace OrleansEnrollment.Notifications;

/// <summary>
/// How the notification consumer takes its messages: in batches of up to <see cref="MessageLimit"/>, each written in
/// one transaction. The short time limit bounds how long a lone message waits for company; two batches may be written
/// at once, so one slow commit does not stall the queue.
/// </summary>
public sealed class EnrollmentNotificationConsumerDefinition : ConsumerDefinition<EnrollmentNotificationConsumer>
{
    public const int MessageLimit = 200;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EnrollmentNotificationConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(options => options
            .SetMessageLimit(MessageLimit)
            .SetTimeLimit(TimeSpan.FromMilliseconds(20))
            .SetConcurrencyLimit(2));
    }
}
