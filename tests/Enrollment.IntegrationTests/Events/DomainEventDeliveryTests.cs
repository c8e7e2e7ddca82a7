using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Events;

/// <summary>
/// Every committed enrollment produces its domain event, which reaches the bus in commit order per event and is
/// consumed exactly once in effect, including when the emit after a commit fails or the silo goes away.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DomainEventDeliveryTests(PostgresFixture database, ITestOutputHelper output)
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    // The relay acts quickly here; production waits longer before it calls an event overdue.
    private static readonly Dictionary<string, string?> QuickRelay = new()
    {
        ["Outbox:PollInterval"] = "00:00:00.200",
        ["Outbox:RedeliverAfter"] = "00:00:01",
    };

    [Fact]
    public async Task Concurrent_enrollments_each_produce_one_event_delivered_in_commit_order()
    {
        var recorder = new BusRecorder();
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, configure: silo => silo.Services.AddSingleton(recorder), addConsumers: BusRecorder.AddTo);
        var events = new[]
        {
            await database.CreateEventAsync(capacity: 50, hasWaitlist: true),
            await database.CreateEventAsync(capacity: null, hasWaitlist: false),
            await database.CreateEventAsync(capacity: 20, hasWaitlist: false),
        };

        var calls = events.SelectMany(evt => Enumerable.Range(0, 300).Select(_ => (evt.Id, UserId: Guid.NewGuid())))
            .OrderBy(_ => Random.Shared.Next())
            .Select(call => cluster.Client.GetGrain<IEventCapacityGrain>(call.Id).Enroll(call.UserId, Guid.NewGuid()));
        var answers = await Task.WhenAll(calls);

        foreach (var evt in events)
        {
            var admitted = answers.Where(answer => answer.Enrollment?.EventId == evt.Id).Select(answer => answer.Enrollment!).ToList();
            await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, admitted.Count, DeliveryTimeout);

            var delivered = recorder.Received.Where(delivery => delivery.Event.EventId == evt.Id).ToList();
            // each committed transition reached the bus once (no fault, so no redelivery), in commit order
            Assert.Equal(Enumerable.Range(1, admitted.Count).Select(i => (long)i), delivered.Select(delivery => delivery.Event.Sequence));
            Assert.All(delivered, delivery => Assert.Equal(delivery.Event.Id, delivery.MessageId));
            Assert.Equal(admitted.Select(e => e.Id).Order(), delivered.Select(delivery => delivery.Event.EnrollmentId).Order());
            foreach (var (_, domainEvent) in delivered)
            {
                var enrollment = admitted.Single(e => e.Id == domainEvent.EnrollmentId);
                Assert.Equal(enrollment.UserId, domainEvent.UserId);
                switch (domainEvent)
                {
                    case EnrollmentConfirmed:
                        Assert.Equal(EnrollmentStatus.Confirmed, enrollment.Status);
                        break;
                    case EnrollmentWaitlisted waitlisted:
                        Assert.Equal(enrollment.WaitlistPosition, waitlisted.Position);
                        break;
                    default:
                        Assert.Fail($"unexpected {domainEvent.GetType().Name}");
                        break;
                }
            }
        }

        await ReportOutboxLagAsync(events.Select(evt => evt.Id).ToArray());
    }

    [Fact]
    public async Task A_committed_group_reaches_the_bus_as_one_batch_marked_dispatched_at_once()
    {
        var recorder = new BusRecorder();
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, configure: silo => silo.Services.AddSingleton(recorder), addConsumers: BusRecorder.AddTo);
        var evt = await database.CreateEventAsync(capacity: 50, hasWaitlist: true);

        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));

        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, answers.Length, DeliveryTimeout);
        var delivered = recorder.Received.Where(delivery => delivery.Event.EventId == evt.Id).Select(delivery => delivery.Event.Sequence);
        Assert.Equal(Enumerable.Range(1, answers.Length).Select(i => (long)i), delivered);

        // A group's rows are marked by one statement: 300 calls at once make groups of many, and far fewer marking
        // statements than rows (the marks of different silos' bridges are counted by each silo's marker).
        var markers = cluster.Silos.Select(silo => silo.ServiceProvider.GetRequiredService<OutboxDispatchMarker>()).ToList();
        await Eventually.HoldsAsync(
            () => Task.FromResult(markers.Sum(marker => marker.Totals.Marked) == answers.Length), DeliveryTimeout, "every mark counted");
        var statements = markers.Sum(marker => marker.Totals.Statements);
        output.WriteLine($"{answers.Length} domain events marked dispatched in {statements} statements");
        Assert.InRange(statements, 1, answers.Length / 2);
    }

    /// <summary>
    /// How long committed events took to become notifications (notification created_at − occurred_at): a figure for the
    /// notes, not a target.
    /// </summary>
    private async Task ReportOutboxLagAsync(Guid[] eventIds)
    {
        await using var command = database.DataSource.CreateCommand(
            """
            SELECT count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY lag),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY lag),
                   max(lag)
              FROM (SELECT extract(epoch FROM n.created_at - o.occurred_at) * 1000 AS lag
                      FROM outbox o JOIN notifications n ON n.source_message_id = o.id
                     WHERE o.event_id = ANY($1)) lags
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter<Guid[]> { TypedValue = eventIds });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        output.WriteLine(
            $"commit-to-notification lag over {reader.GetInt64(0)} events: p50 {reader.GetDouble(1):0} ms, p99 {reader.GetDouble(2):0} ms, max {reader.GetDouble(3):0} ms");
    }

    [Fact]
    public async Task Events_whose_emit_failed_after_the_commit_are_delivered_by_the_relay()
    {
        var emitter = new FaultyEventEmitter { Failing = true };
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, settings: QuickRelay, configure: silo => silo.Services.AddSingleton<IEnrollmentEventEmitter>(emitter));
        var evt = await database.CreateEventAsync(capacity: 30, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));

        // the commits stand and were answered; their events wait in the outbox
        Assert.All(answers, answer => Assert.Equal(EnrollmentOutcome.Enrolled, answer.Outcome));
        Assert.True(emitter.FailedEmits > 0);
        Assert.Equal(200, (await OutboxState.ReadAsync(database.DataSource, evt.Id)).Undispatched);

        emitter.Failing = false;
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 200, DeliveryTimeout);
    }

    [Fact]
    public async Task Events_committed_before_a_crash_are_delivered_after_the_restart()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: true);
        var emitter = new FaultyEventEmitter { Failing = true };
        var users = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToList();
        await using (var doomed = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 1, configure: silo => silo.Services.AddSingleton<IEnrollmentEventEmitter>(emitter)))
        {
            // every commit lands, and the process is gone before any event leaves it
            var grain = doomed.Client.GetGrain<IEventCapacityGrain>(evt.Id);
            await Task.WhenAll(users.Select(userId => grain.Enroll(userId, Guid.NewGuid())));
            await doomed.KillSiloAsync(doomed.Silos[0]);
        }

        Assert.Equal(60, (await OutboxState.ReadAsync(database.DataSource, evt.Id)).Undispatched);

        await using var restarted = await EnrollmentTestCluster.StartAsync(database.ConnectionString, settings: QuickRelay);
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 60, DeliveryTimeout);

        // new enrollments after the restart continue the sequence and are delivered too
        await restarted.Client.GetGrain<IEventCapacityGrain>(evt.Id).Enroll(Guid.NewGuid(), Guid.NewGuid());
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 61, DeliveryTimeout);
    }

    [Fact]
    public async Task Redelivering_events_that_already_reached_the_bus_changes_nothing()
    {
        var recorder = new BusRecorder();
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 1, configure: silo => silo.Services.AddSingleton(recorder), addConsumers: BusRecorder.AddTo);
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 20, DeliveryTimeout);

        // as if every row had been left undispatched: the relay's path emits all twenty again
        await using (var reset = database.DataSource.CreateCommand(
            "INSERT INTO outbox_pending (event_id, sequence, pending_since) SELECT event_id, sequence, now() FROM outbox WHERE event_id = $1"))
        {
            reset.Parameters.Add(new Npgsql.NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await reset.ExecuteNonQueryAsync();
        }

        await grain.DispatchPendingEvents();

        await Eventually.HoldsAsync(
            () => Task.FromResult(recorder.Received.Count(delivery => delivery.Event.EventId == evt.Id) == 40), DeliveryTimeout, "twenty redeliveries");
        await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 20, DeliveryTimeout);
    }
}
