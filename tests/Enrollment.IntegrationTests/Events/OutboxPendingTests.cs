using Npgsql;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Events;

/// <summary>
/// What waits for the bus lives in <c>outbox_pending</c> (migration 0025): a domain event waits from the statement that
/// commits it, whoever writes it, until a mark deletes its row; the relay and a reloading grain read only what waits;
/// the consumption check releases a dispatched but unconsumed one once, then leaves it for ConsumedWithin.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OutboxPendingTests(PostgresFixture database)
{
    private const string Consumer = "outbox-pending-tests";

    private OutboxStore Outbox => new(database.DataSource);

    [Fact]
    public async Task A_domain_event_waits_from_its_commit_until_it_is_marked_and_a_second_mark_changes_nothing()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: false);
        var committed = await CommitAsync(evt.Id, 3, DateTimeOffset.UtcNow);

        Assert.Equal([1L, 2L, 3L], (await Outbox.LoadUndispatchedAsync(evt.Id, 0, 10)).Select(domainEvent => domainEvent.Sequence));
        Assert.Equal(committed[1], await Outbox.LoadUndispatchedAsync(evt.Id, 1, 1) is [var second] ? second : null);

        await Outbox.MarkDispatchedAsync([new DispatchedEvent(evt.Id, 1), new DispatchedEvent(evt.Id, 3)]);
        await Outbox.MarkDispatchedAsync([new DispatchedEvent(evt.Id, 1)]);

        Assert.Equal([2L], (await Outbox.LoadUndispatchedAsync(evt.Id, 0, 10)).Select(domainEvent => domainEvent.Sequence));
        Assert.Equal(3, (await OutboxState.ReadAsync(database.DataSource, evt.Id)).Rows);
    }

    [Fact]
    public async Task The_relay_sees_an_event_only_once_its_oldest_waiting_domain_event_is_overdue()
    {
        var overdue = await database.CreateEventAsync(capacity: 10, hasWaitlist: false);
        var recent = await database.CreateEventAsync(capacity: 10, hasWaitlist: false);
        var dispatched = await database.CreateEventAsync(capacity: 10, hasWaitlist: false);
        await CommitAsync(overdue.Id, 2, DateTimeOffset.UtcNow.AddMinutes(-10));
        await CommitAsync(recent.Id, 2, DateTimeOffset.UtcNow);
        await CommitAsync(dispatched.Id, 1, DateTimeOffset.UtcNow.AddMinutes(-10));
        await Outbox.MarkDispatchedAsync([new DispatchedEvent(dispatched.Id, 1)]);

        var found = await Outbox.FindEventsWithOverdueAsync(TimeSpan.FromMinutes(5), limit: 10_000);

        Assert.Contains(overdue.Id, found);
        Assert.DoesNotContain(recent.Id, found);
        Assert.DoesNotContain(dispatched.Id, found);
    }

    [Fact]
    public async Task A_dispatched_event_nobody_consumed_is_released_once_and_not_again_within_ConsumedWithin()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: false);
        var committed = await CommitAsync(evt.Id, 3, DateTimeOffset.UtcNow.AddMinutes(-50));
        await Outbox.MarkDispatchedAsync(committed.Select(domainEvent => new DispatchedEvent(evt.Id, domainEvent.Sequence)).ToList());
        // the first was consumed; the second was never dispatched after all; the third was dispatched and lost
        await RecordConsumedAsync(committed[0].Id);
        await using (var undo = database.DataSource.CreateCommand(
            "INSERT INTO outbox_pending (event_id, sequence, pending_since) VALUES ($1, 2, now())"))
        {
            undo.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await undo.ExecuteNonQueryAsync();
        }

        var released = await ReleaseAsync();
        var releasedAgain = await ReleaseAsync();

        Assert.Equal([evt.Id], released.Where(id => id == evt.Id));
        Assert.DoesNotContain(evt.Id, releasedAgain);
        Assert.Equal([2L, 3L], (await Outbox.LoadUndispatchedAsync(evt.Id, 0, 10)).Select(domainEvent => domainEvent.Sequence));
        // released just now: the relay leaves it to the grain the check calls, rather than emitting it twice
        Assert.DoesNotContain(evt.Id, await Outbox.FindEventsWithOverdueAsync(TimeSpan.FromMinutes(5), limit: 10_000));
    }

    // Only rows committed 45–55 minutes ago: this test's, not those of the tests around it, which it must not release.
    private Task<IReadOnlyList<Guid>> ReleaseAsync() => Outbox.ReleaseUnconsumedAsync(
        Consumer, [DomainEventJson.TypeName(typeof(EnrollmentConfirmed))], consumedWithin: TimeSpan.FromMinutes(45),
        window: TimeSpan.FromMinutes(55), limit: 1000);

    /// <summary>Writes domain events 1..count of an event straight into the outbox, as any writer could.</summary>
    private async Task<List<EnrollmentEvent>> CommitAsync(Guid eventId, int count, DateTimeOffset at)
    {
        var committed = new List<EnrollmentEvent>();
        await using var batch = database.DataSource.CreateBatch();
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var domainEvent = new EnrollmentConfirmed
            {
                Id = Guid.NewGuid(), EventId = eventId, EnrollmentId = Guid.NewGuid(), UserId = Guid.NewGuid(), Sequence = sequence, OccurredAt = at,
            };
            committed.Add(domainEvent);
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "INSERT INTO outbox (id, event_id, sequence, type, payload, occurred_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)")
            {
                Parameters =
                {
                    new NpgsqlParameter<Guid> { TypedValue = domainEvent.Id },
                    new NpgsqlParameter<Guid> { TypedValue = eventId },
                    new NpgsqlParameter<long> { TypedValue = sequence },
                    new NpgsqlParameter<string> { TypedValue = DomainEventJson.TypeName(domainEvent) },
                    new NpgsqlParameter<string> { TypedValue = DomainEventJson.Serialize(domainEvent) },
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = at },
                },
            });
        }

        await batch.ExecuteNonQueryAsync();
        return committed;
    }

    private async Task RecordConsumedAsync(Guid messageId)
    {
        await using var command = database.DataSource.CreateCommand("INSERT INTO inbox (consumer, message_id) VALUES ($1, $2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Consumer });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = messageId });
        await command.ExecuteNonQueryAsync();
    }
}
