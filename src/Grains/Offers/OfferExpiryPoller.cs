using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    ExpiredOffers expiredOffers, IGrainFactory grains, TimeProvider clock, IOptions<OfferOptions> options, ILogger<OfferExpiryPoller> logger)
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
                var due = await expiredOffers.FindEventsAsync(clock.GetUtcNow(), MaxEventsPerPass, stoppingToken);
                await Task.WhenAll(due.Select(eventId => grains.GetGrain<IEventCapacityGrain>(eventId).ExpireOffers()));
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The database or the cluster is not there (start-up, a fault): the deadlines wait in the table; next tick.
                LogPassFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offer expiry pass failed; retrying on the next tick")]
    private partial void LogPassFailed(Exception exception);
}
