using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Events;

/// <summary>
/// A domain event the bus took but the notification consumer never stored (its retries ran out, the message sat in an
/// error queue, the silo holding it died) is emitted again and ends up notified exactly once; events that were
/// consumed, or that the consumer does not handle, are left alone.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class NotificationConsumptionCheckTests(PostgresFixture database)
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    // Checks every 200 ms and calls an event unconsumed 2 s after its commit; production waits minutes.
    private static readonly Dictionary<string, string?> QuickCheck = new()
    {
        ["Outbox:PollInterval"] = "00:00:00.200",
        ["Outbox:RedeliverAfter"] = "00:00:01",
        ["Outbox:ConsumptionCheckInterval"] = "00:00:00.200",
        ["Outbox:ConsumedWithin"] = "00:00:02",
        ["Outbox:ConsumptionWindow"] = "00:10:00",
    };

    [Fact]
    public async Task A_dispatched_event_whose_notification_was_never_stored_is_emitted_again_and_notified_once()
    {
        var recorder = new BusRecorder();
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 1, settings: QuickCheck, configure: silo => silo.Services.AddSingleton(recorder),
            addConsumers: BusRecorder.AddTo);
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: false, title: "Lost and found");
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        for (var i = 0; i < 3; i++)
        {
            await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
        }

        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 3, DeliveryTimeout);

        // As if the consumer had given up on the first one: committed and dispatched a minute ago, no inbox row, no
        // notification.
        var lost = await LoseConsumptionAsync(evt.Id, sequence: 1);

        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 3, DeliveryTimeout);
        await using var notified = database.DataSource.CreateCommand("SELECT message FROM notifications WHERE source_message_id = $1");
        notified.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = lost });
        Assert.Equal("You are confirmed for Lost and found", await notified.ExecuteScalarAsync());
        Assert.True(recorder.Received.Count(delivery => delivery.MessageId == lost) >= 2, "the lost event reached the bus again");
    }

    [Fact]
    public async Task Consumed_events_and_ones_the_consumer_does_not_handle_are_not_emitted_again()
    {
        var recorder = new BusRecorder();
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 1, settings: QuickCheck, configure: silo => silo.Services.AddSingleton(recorder),
            addConsumers: BusRecorder.AddTo);
        var evt = await database.CreateEventAsync(capacity: 40, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));
        // a check-in has a domain event but no notification, so no inbox row will ever exist for it
        var confirmed = answers.First(answer => answer.Enrollment?.Status == EnrollmentStatus.Confirmed).Enrollment!;
        var checkedIn = await grain.CheckIn(confirmed.Id, new TransitionRequest(null, Guid.NewGuid(), null));
        Assert.True(checkedIn.Outcome == TransitionOutcome.Done, checkedIn.Message);

        await Eventually.HoldsAsync(
            async () => await OutboxState.ReadAsync(database.DataSource, evt.Id) is { Rows: 61, Undispatched: 0, Notifications: 60 },
            DeliveryTimeout, "60 enrollments notified and the check-in dispatched");

        // well past ConsumedWithin plus a dozen passes of the check
        await Task.Delay(TimeSpan.FromSeconds(5));

        Assert.Equal(0, await ReleasedAsync(evt.Id));
        Assert.Equal(new OutboxState(61, 0, 1, 61, 60, 60, 60), await OutboxState.ReadAsync(database.DataSource, evt.Id));
        var delivered = recorder.Received.Where(delivery => delivery.Event.EventId == evt.Id).ToList();
        Assert.Equal(60, delivered.Count);
        Assert.Equal(60, delivered.Select(delivery => delivery.MessageId).Distinct().Count());
    }

    /// <summary>Removes the inbox row and notification of one dispatched domain event and backdates its commit.</summary>
    private async Task<Guid> LoseConsumptionAsync(Guid eventId, long sequence)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            WITH lost AS (
                UPDATE outbox SET occurred_at = now() - interval '1 minute'
                 WHERE event_id = $1 AND sequence = $2
                RETURNING id
            ), forgotten AS (
                DELETE FROM inbox WHERE message_id IN (SELECT id FROM lost)
            ), unsent AS (
                DELETE FROM notifications WHERE source_message_id IN (SELECT id FROM lost)
            )
            SELECT id FROM lost
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How many of the event's domain events the check has ever released.</summary>
    private async Task<long> ReleasedAsync(Guid eventId)
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM outbox WHERE event_id = $1 AND released_at IS NOT NULL");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
