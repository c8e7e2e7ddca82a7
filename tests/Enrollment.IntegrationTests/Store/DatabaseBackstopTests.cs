using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>The database on its own, with no grain and no store logic in front of it, refuses every broken invariant.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class DatabaseBackstopTests(PostgresFixture database)
{
    [Fact]
    public async Task Two_transactions_racing_for_the_last_seat_leave_exactly_one_enrolled()
    {
        for (var round = 0; round < 10; round++)
        {
            var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: false);
            await using var first = await database.DataSource.OpenConnectionAsync();
            await using var second = await database.DataSource.OpenConnectionAsync();
            await using var firstTransaction = await first.BeginTransactionAsync();
            await using var secondTransaction = await second.BeginTransactionAsync();

            // Both insert before either commits: the second blocks on the policy row until the first is done.
            await RawEnrollmentSql.InsertAsync(first, firstTransaction, evt.Id, Guid.NewGuid(), "confirmed", null);
            var secondInsert = RawEnrollmentSql.InsertAsync(second, secondTransaction, evt.Id, Guid.NewGuid(), "confirmed", null);
            await Task.Delay(50);
            Assert.False(secondInsert.IsCompleted, "the second writer should wait for the policy row lock");
            await firstTransaction.CommitAsync();

            var refused = await Assert.ThrowsAsync<PostgresException>(() => secondInsert);
            Assert.Equal("enrollment_capacity", refused.ConstraintName);
            Assert.Equal(1, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
        }
    }

    [Fact]
    public async Task Many_writers_without_locks_never_overfill_an_event()
    {
        var evt = await database.CreateEventAsync(capacity: 25, hasWaitlist: false);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            try
            {
                await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
                return true;
            }
            catch (PostgresException exception) when (exception.ConstraintName == "enrollment_capacity")
            {
                return false;
            }
        }));

        Assert.Equal(25, outcomes.Count(won => won));
        Assert.Equal(25, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_second_live_enrollment_for_the_same_user_is_refused()
    {
        var evt = await database.CreateEventAsync(capacity: null, hasWaitlist: false);
        var userId = Guid.NewGuid();
        await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, userId, "confirmed", null);

        var refused = await Assert.ThrowsAsync<PostgresException>(
            () => RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, userId, "confirmed", null));

        Assert.Equal("enrollments_one_live_per_user", refused.ConstraintName);
        Assert.Equal(1, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
    }

    [Fact]
    public async Task Waitlist_positions_are_never_duplicated_skipped_or_changed()
    {
        var evt = await database.CreateEventAsync(capacity: 0, hasWaitlist: true);
        await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1);

        var duplicate = await Assert.ThrowsAsync<PostgresException>(
            () => RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1));
        var skipped = await Assert.ThrowsAsync<PostgresException>(
            () => RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 3));
        await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 2);

        Assert.Contains(duplicate.ConstraintName, new[] { "enrollments_unique_waitlist_position", "enrollment_waitlist_fifo" });
        Assert.Equal("enrollment_waitlist_fifo", skipped.ConstraintName);

        await using var reorder = database.DataSource.CreateCommand(
            "UPDATE enrollments SET waitlist_position = 7 WHERE event_id = $1 AND waitlist_position = 2");
        reorder.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
        var moved = await Assert.ThrowsAsync<PostgresException>(() => reorder.ExecuteNonQueryAsync());
        Assert.Equal("enrollment_arrival_order_permanent", moved.ConstraintName);

        Assert.Equal(2, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task Nobody_waits_while_a_seat_is_free_or_where_there_is_no_waitlist()
    {
        var withSeats = await database.CreateEventAsync(capacity: 5, hasWaitlist: true);
        var noWaitlist = await database.CreateEventAsync(capacity: 0, hasWaitlist: false);
        var unlimited = await database.CreateEventAsync(capacity: null, hasWaitlist: true);

        foreach (var evt in new[] { withSeats, noWaitlist, unlimited })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(
                () => RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1));
            Assert.Equal("enrollment_waitlist_only_when_full", refused.ConstraintName);
            Assert.Equal(0, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
        }
    }

    [Fact]
    public async Task Lowering_capacity_evicts_nobody_but_admits_nobody_new()
    {
        var evt = await database.CreateEventAsync(capacity: 3, hasWaitlist: false);
        for (var i = 0; i < 3; i++)
        {
            await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
        }

        await using (var lower = database.DataSource.CreateCommand("UPDATE enrollment_policies SET capacity = 1 WHERE event_id = $1"))
        {
            lower.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await lower.ExecuteNonQueryAsync();
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(
            () => RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null));
        Assert.Equal("enrollment_capacity", refused.ConstraintName);
        Assert.Equal(3, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", evt.Id));
    }

    [Fact]
    public async Task A_transaction_that_leaves_a_seat_free_while_someone_waits_is_refused_at_commit()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
        await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1);

        // raising the capacity without promoting anybody would leave the new seat empty while someone waits
        await using var raise = database.DataSource.CreateCommand("UPDATE enrollment_policies SET capacity = 2 WHERE event_id = $1");
        raise.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => raise.ExecuteNonQueryAsync());

        Assert.Equal("enrollment_no_free_seat_while_waiting", refused.ConstraintName);
        Assert.Equal(1, (await database.Catalog.FindAsync(evt.Id))!.Policy.Capacity);
    }

    [Theory]
    [InlineData("INSERT INTO enrollment_policies (event_id, capacity, has_waitlist) SELECT id, -1, false FROM events LIMIT 1", "enrollment_policies_capacity_non_negative")]
    [InlineData("UPDATE enrollments SET status = 'pending' WHERE id = (SELECT id FROM enrollments LIMIT 1)", "enrollments_status_known")]
    [InlineData("INSERT INTO events (id, title, starts_at) VALUES (gen_random_uuid(), '', now())", "events_title_length")]
    public async Task Invalid_values_are_refused(string sql, string constraint)
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: false);
        await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
        await using var command = database.DataSource.CreateCommand(sql);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(constraint, refused.ConstraintName);
    }
}
