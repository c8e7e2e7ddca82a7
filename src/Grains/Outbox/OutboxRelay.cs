using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Outbox;

/// <summary>
/// Finds domain events that were committed but never reached the bus (the process died between commit and emit,
/// or the emit failed) and asks each event's grain to emit them again. Only the grain emits, so an event's domain
/// events still leave in sequence order; the relay never touches the enrollment path itself.
/// </summary>
public sealed partial class OutboxRelay(OutboxStore outbox, IGrainFactory grains, IOptions<OutboxOptions> options, ILogger<OutboxRelay> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var eventId in await outbox.FindEventsWithOverdueAsync(settings.RedeliverAfter, limit: 100, stoppingToken))
                {
                    LogRedispatching(eventId);
                    await grains.GetGrain<IEventCapacityGrain>(eventId).DispatchPendingEvents();
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database or the cluster is not there yet (start-up) or any more (a fault): try again next tick.
                LogRelayFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay: event {EventId} has overdue domain events; asking its grain to emit them again")]
    private partial void LogRedispatching(Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay pass failed; retrying on the next tick")]
    private partial void LogRelayFailed(Exception exception);
}
