using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Offers;

/// <summary>
/// The durable wake-up of offers. Deadlines live in the database (<c>enrollments.offer_expires_at</c>), so they survive
/// any silo; every silo asks, a few times a second, which events hold an offer past its deadline (a partial index
/// answers), and calls those events' grains to end them. Several silos calling one grain is harmless: ending an expired
/// offer is decided once, by the grain, and a second call finds nothing to end. An Orleans reminder was the other
/// choice; reminders tick at most once a minute, too coarse for "within 2 s of the deadline".
/// </summary>
public sealed partial class OfferExpiryPoller(
    NpgsqlDataSource dataSource, IGrainFactory grains, TimeProvider clock, IOptions<OfferOptions> options, ILogger<OfferExpiryPoller> logger)
    : BackgroundService
{
    public const int MaxEventsPerPass = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExpiryPollInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // The grains judge deadlines by this process's clock, so the question is asked with it too.
                var due = await FindEventsWithExpiredOffersAsync(clock.GetUtcNow(), stoppingToken);
                await Task.WhenAll(due.Select(eventId => grains.GetGrain<IEventCapacityGrain>(eventId).ExpireOffers()));
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database or the cluster is not there (start-up, a fault): the deadlines wait in the table; next tick.
                LogPassFailed(exception);
            }
        }
    }

    private async Task<IReadOnlyList<Guid>> FindEventsWithExpiredOffersAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT DISTINCT event_id FROM enrollments WHERE status = 'offered' AND offer_expires_at <= $1 LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MaxEventsPerPass });
        var events = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(reader.GetGuid(0));
        }

        return events;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offer expiry pass failed; retrying on the next tick")]
    private partial void LogPassFailed(Exception exception);
}
