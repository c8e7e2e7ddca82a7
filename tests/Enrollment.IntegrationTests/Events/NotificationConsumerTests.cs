using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Events;

/// <summary>The notification consumer on MassTransit's test harness, writing to the real database.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class NotificationConsumerTests(PostgresFixture database) : IAsyncLifetime
{
    private readonly BusRecorder deliveries = new();
    private ServiceProvider provider = null!;
    private ITestHarness harness = null!;

    public async Task InitializeAsync()
    {
        provider = new ServiceCollection()
            .AddSingleton(database.DataSource)
            .AddSingleton(deliveries)
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<EnrollmentNotificationConsumer, EnrollmentNotificationConsumerDefinition>();
                BusRecorder.AddTo(bus); // counts deliveries: the harness's own lists collapse repeats of a message id
            })
            .BuildServiceProvider(validateScopes: true);
        harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
    }

    public async Task DisposeAsync()
    {
        await harness.Stop();
        await provider.DisposeAsync();
    }

    [Fact]
    public async Task One_confirmation_becomes_one_notification()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: false, title: "Rust meetup");
        var confirmed = new EnrollmentConfirmed
        {
            Id = Guid.NewGuid(), EventId = evt.Id, EnrollmentId = Guid.NewGuid(), UserId = Guid.NewGuid(), Sequence = 1,
            OccurredAt = DateTimeOffset.UtcNow,
        };

        await harness.Bus.Publish(confirmed, context => context.MessageId = confirmed.Id);
        await harness.InactivityTask;

        Assert.True(await harness.GetConsumerHarness<EnrollmentNotificationConsumer>().Consumed.Any<Batch<EnrollmentConfirmed>>());
        var notification = Assert.Single(await new NotificationQueries(database.DataSource).ListForUserAsync(confirmed.UserId));
        Assert.Equal("You are confirmed for Rust meetup", notification.Message);
        Assert.Equal(NotificationKinds.Confirmed, notification.Kind);
        Assert.Equal(evt.Id, notification.EventId);
        Assert.Equal(confirmed.EnrollmentId, notification.EnrollmentId);
        Assert.Equal(confirmed.Id, notification.SourceMessageId);
        Assert.Null(notification.ReadAt);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_becomes_one_notification()
    {
        var evt = await database.CreateEventAsync(capacity: 0, hasWaitlist: true, title: "Sold-out workshop");
        var waitlisted = new EnrollmentWaitlisted
        {
            Id = Guid.NewGuid(), EventId = evt.Id, EnrollmentId = Guid.NewGuid(), UserId = Guid.NewGuid(), Sequence = 3,
            OccurredAt = DateTimeOffset.UtcNow, Position = 5, Rank = 3,
        };

        await harness.Bus.Publish(waitlisted, context => context.MessageId = waitlisted.Id);
        await harness.Bus.Publish(waitlisted, context => context.MessageId = waitlisted.Id);
        await harness.InactivityTask;

        Assert.Equal(2, deliveries.Received.Count(delivery => delivery.MessageId == waitlisted.Id));
        var notification = Assert.Single(await new NotificationQueries(database.DataSource).ListForUserAsync(waitlisted.UserId));
        Assert.Equal("You are on the waitlist for Sold-out workshop (position 3)", notification.Message);
        Assert.Equal(NotificationKinds.Waitlisted, notification.Kind);
    }

    [Fact]
    public async Task Concurrent_redeliveries_still_become_one_notification()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: false);
        var confirmed = new EnrollmentConfirmed
        {
            Id = Guid.NewGuid(), EventId = evt.Id, EnrollmentId = Guid.NewGuid(), UserId = Guid.NewGuid(), Sequence = 1,
            OccurredAt = DateTimeOffset.UtcNow,
        };

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => harness.Bus.Publish(confirmed, context => context.MessageId = confirmed.Id)));
        await harness.InactivityTask;

        Assert.Equal(8, deliveries.Received.Count(delivery => delivery.MessageId == confirmed.Id));
        Assert.Single(await new NotificationQueries(database.DataSource).ListForUserAsync(confirmed.UserId));
        await using var inbox = database.DataSource.CreateCommand("SELECT count(*) FROM inbox WHERE message_id = $1");
        inbox.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = confirmed.Id });
        Assert.Equal(1L, await inbox.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_batch_holding_duplicates_writes_one_notification_per_message()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: false, title: "Batch night");
        var confirmations = Enumerable.Range(1, 5).Select(sequence => new EnrollmentConfirmed
        {
            Id = Guid.NewGuid(), EventId = evt.Id, EnrollmentId = Guid.NewGuid(), UserId = Guid.NewGuid(), Sequence = sequence,
            OccurredAt = DateTimeOffset.UtcNow,
        }).ToList();

        // three copies of each, all at once: they share batches, so duplicates meet inside one batch as well as across
        await Task.WhenAll(confirmations.SelectMany(confirmed => Enumerable.Range(0, 3)
            .Select(_ => harness.Bus.Publish(confirmed, context => context.MessageId = confirmed.Id))));
        await harness.InactivityTask;

        Assert.Equal(15, deliveries.Received.Count(delivery => confirmations.Any(c => c.Id == delivery.MessageId)));
        var queries = new NotificationQueries(database.DataSource);
        foreach (var confirmed in confirmations)
        {
            var notification = Assert.Single(await queries.ListForUserAsync(confirmed.UserId));
            Assert.Equal("You are confirmed for Batch night", notification.Message);
            Assert.Equal(confirmed.Id, notification.SourceMessageId);
        }

        await using var inbox = database.DataSource.CreateCommand("SELECT count(*) FROM inbox WHERE message_id = ANY($1)");
        inbox.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = confirmations.Select(c => c.Id).ToArray() });
        Assert.Equal(5L, await inbox.ExecuteScalarAsync());
    }
}
