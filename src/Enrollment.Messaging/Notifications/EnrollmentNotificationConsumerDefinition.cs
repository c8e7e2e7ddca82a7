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

    /// <summary>About three and a half minutes of retrying in all (0.7 s, 1.2 s, 2.2 s … then 30 s apart): enough to ride out a database restart or failover.</summary>
    private const int Retries = 12;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EnrollmentNotificationConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // The bridge marks a domain event dispatched once the bus has it; a batch that then fails (its database
        // restarting, a connection killed) is tried again here. Bounded on purpose, even for transient errors: once
        // the retries run out, NotificationConsumptionCheck has the events emitted again from the outbox, whereas an
        // unlimited retry would hold a batch and one of its two consumer slots for ever on an error that only looks
        // transient, and would still lose the batch if the silo holding it in memory died.
        consumerConfigurator.UseMessageRetry(retry =>
            retry.Exponential(Retries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)));
        consumerConfigurator.Options<BatchOptions>(options => options
            .SetMessageLimit(MessageLimit)
            .SetTimeLimit(TimeSpan.FromMilliseconds(20))
            .SetConcurrencyLimit(2));
    }
}
