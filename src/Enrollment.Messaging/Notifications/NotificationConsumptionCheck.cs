using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;

namespace OrleansEnrollment.Notifications;

/// <summary>
/// Closes the gap the outbox alone leaves: the bridge marks a domain event dispatched once the bus has it, so a message
/// the notification consumer then never stored (retries exhausted, left in an error queue, or lost with a silo's
/// in-memory bus) would count as delivered for ever. Every <see cref="OutboxOptions.ConsumptionCheckInterval"/>, this
/// finds recent dispatched events the consumer has no inbox row for <see cref="OutboxOptions.ConsumedWithin"/> after
/// their commit (and after their last release), marks them undispatched again and asks their grains to emit them,
/// exactly as the relay does for events that never reached the bus. The consumer drops a message it did store after
/// all, by its id.
/// </summary>
public sealed partial class NotificationConsumptionCheck(
    OutboxStore outbox, IGrainFactory grains, IOptions<OutboxOptions> options, ILogger<NotificationConsumptionCheck> logger)
    : BackgroundService
{
    // Enough to catch up after a long outage within a few passes, small enough that one pass stays a short statement.
    private const int ReleaseLimit = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.ConsumptionCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(settings, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Database or cluster not there (start-up, a fault): the rows keep their state, the next pass retries.
                LogCheckFailed(exception);
            }
        }
    }

    private async Task CheckAsync(OutboxOptions settings, CancellationToken cancellationToken)
    {
        var eventIds = await outbox.ReleaseUnconsumedAsync(
            EnrollmentNotificationConsumer.InboxName, EnrollmentNotificationConsumer.HandledEventTypes, settings.ConsumedWithin,
            settings.ConsumptionWindow, ReleaseLimit, cancellationToken);
        foreach (var eventId in eventIds)
        {
            LogReemitting(eventId);
            // If this call fails the rows stay undispatched, and the relay asks the grain again.
            await grains.GetGrain<IEventCapacityGrain>(eventId).DispatchPendingEvents();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Event {EventId} has dispatched domain events its notification consumer never stored; asking its grain to emit them again")]
    private partial void LogReemitting(Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification consumption check failed; retrying on the next tick")]
    private partial void LogCheckFailed(Exception exception);
}
