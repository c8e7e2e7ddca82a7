using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// The backstop checks every statement of a transaction, not only its end: pairs of decisions that one group commits
/// together are accepted when their statements come in the order the decisions were taken, and refused, with nothing
/// written, when a writer puts them the other way round and a step in between breaks the rule. Plain SQL, no store.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DecisionOrderBackstopTests(PostgresFixture database)
{
    [Fact]
    public async Task A_cancellation_then_a_newcomer_in_the_freed_seat()
    {
        async Task<(Guid Event, Guid Leaving)> FullEventAsync()
        {
            var evt = await database.CreateEventAsync(capacity: 2, hasWaitlist: false);
            await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
            return (evt.Id, await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null));
        }

        var inOrder = await FullEventAsync();
        await CommitsAsync(inOrder.Event, async (connection, transaction) =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Leaving, "cancelled");
            await RawEnrollmentSql.InsertAsync(connection, transaction, inOrder.Event, Guid.NewGuid(), "confirmed", null);
        });

        var reversed = await FullEventAsync();
        await RefusedAsync(reversed.Event, "enrollment_capacity", async (connection, transaction) =>
        {
            await RawEnrollmentSql.InsertAsync(connection, transaction, reversed.Event, Guid.NewGuid(), "confirmed", null);
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Leaving, "cancelled");
        });
    }

    [Fact]
    public async Task A_capacity_raise_with_its_promotion_then_a_newcomer_on_the_waitlist()
    {
        async Task<(Guid Event, Guid Waiting)> EventWithSomeoneWaitingAsync()
        {
            var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
            await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
            return (evt.Id, await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1));
        }

        var inOrder = await EventWithSomeoneWaitingAsync();
        await CommitsAsync(inOrder.Event, async (connection, transaction) =>
        {
            await RawEnrollmentSql.SetPolicyAsync(connection, transaction, inOrder.Event, 2, true);
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Waiting, "confirmed");
            await RawEnrollmentSql.InsertAsync(connection, transaction, inOrder.Event, Guid.NewGuid(), "waitlisted", 2);
        });

        // the newcomer would wait while the raise's seat is still free
        var reversed = await EventWithSomeoneWaitingAsync();
        await RefusedAsync(reversed.Event, "enrollment_waitlist_only_when_full", async (connection, transaction) =>
        {
            await RawEnrollmentSql.SetPolicyAsync(connection, transaction, reversed.Event, 2, true);
            await RawEnrollmentSql.InsertAsync(connection, transaction, reversed.Event, Guid.NewGuid(), "waitlisted", 2);
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Waiting, "confirmed");
        });
    }

    [Fact]
    public async Task A_promotion_then_the_promoted_person_cancelling()
    {
        async Task<(Guid Event, Guid Seated, Guid Next, Guid After)> EventWithTwoWaitingAsync()
        {
            var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
            var seated = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
            var next = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1);
            return (evt.Id, seated, next, await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 2));
        }

        var inOrder = await EventWithTwoWaitingAsync();
        await CommitsAsync(inOrder.Event, async (connection, transaction) =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Seated, "cancelled");
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Next, "confirmed");
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Next, "cancelled");
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.After, "confirmed");
        });

        // promoting someone who has already left
        var reversed = await EventWithTwoWaitingAsync();
        await RefusedAsync(reversed.Event, "enrollment_follows_lifecycle", async (connection, transaction) =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Seated, "cancelled");
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Next, "cancelled");
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Next, "confirmed");
        });
    }

    [Fact]
    public async Task A_promotion_and_the_cancellation_of_the_same_person_in_one_statement_are_refused()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var seated = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
        var next = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1);

        // One UPDATE moves a row once, so the second move of the same row is not matched: the store's statements count
        // the rows they moved (migration 0011) and refuse.
        await RefusedAsync(evt.Id, "enrollment_moves_from_decided_status", async (connection, transaction) =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, seated, "cancelled");
            await using var both = new NpgsqlCommand(
                """
                WITH moved AS (
                    UPDATE enrollments e SET status = d.status
                      FROM (VALUES ($1, 'waitlisted', 'confirmed'), ($1, 'confirmed', 'cancelled')) AS d(id, from_status, status)
                     WHERE e.id = d.id AND e.status = d.from_status
                    RETURNING e.id)
                SELECT expect_enrollments_moved($2, (SELECT count(*) FROM moved), 2)
                """, connection, transaction);
            both.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = next });
            both.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
            await both.ExecuteNonQueryAsync();
        });
    }

    [Fact]
    public async Task A_check_in_then_attendance()
    {
        async Task<(Guid Event, Guid Someone)> EventWithSomeoneAsync()
        {
            var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
            return (evt.Id, await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null));
        }

        var inOrder = await EventWithSomeoneAsync();
        await CommitsAsync(inOrder.Event, async (connection, transaction) =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Someone, "checked_in");
            await RawEnrollmentSql.MoveAsync(connection, transaction, inOrder.Someone, "attended");
        });

        var reversed = await EventWithSomeoneAsync();
        await RefusedAsync(reversed.Event, "enrollment_follows_lifecycle", async (connection, transaction) =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Someone, "attended");
            await RawEnrollmentSql.MoveAsync(connection, transaction, reversed.Someone, "checked_in");
        });
    }

    [Fact]
    public async Task Enrolling_cancelling_and_enrolling_again()
    {
        var evt = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        var user = Guid.NewGuid();
        await CommitsAsync(evt.Id, async (connection, transaction) =>
        {
            var first = await RawEnrollmentSql.InsertAsync(connection, transaction, evt.Id, user, "confirmed", null);
            await RawEnrollmentSql.MoveAsync(connection, transaction, first, "cancelled");
            await RawEnrollmentSql.InsertAsync(connection, transaction, evt.Id, user, "confirmed", null);
        });

        var other = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        await RefusedAsync(other.Id, "enrollments_one_live_per_user", async (connection, transaction) =>
        {
            var first = await RawEnrollmentSql.InsertAsync(connection, transaction, other.Id, user, "confirmed", null);
            await RawEnrollmentSql.InsertAsync(connection, transaction, other.Id, user, "confirmed", null);
            await RawEnrollmentSql.MoveAsync(connection, transaction, first, "cancelled");
        });
    }

    [Theory]
    [InlineData("checked_in", "confirmed")]
    [InlineData("confirmed", "attended")]
    [InlineData("checked_in", "cancelled")]
    [InlineData("attended", "confirmed")]
    [InlineData("cancelled", "confirmed")]
    public async Task A_status_moves_only_along_the_lifecycle(string from, string to)
    {
        var evt = await database.CreateEventAsync(capacity: null, hasWaitlist: false);
        var someone = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
        string[] path = from switch
        {
            "checked_in" => ["checked_in"],
            "attended" => ["checked_in", "attended"],
            "cancelled" => ["cancelled"],
            _ => [],
        };
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            foreach (var step in path)
            {
                await RawEnrollmentSql.MoveAsync(connection, null, someone, step);
            }
        }

        await RefusedAsync(evt.Id, "enrollment_follows_lifecycle", (connection, transaction) => RawEnrollmentSql.MoveAsync(connection, transaction, someone, to));
    }

    private async Task CommitsAsync(Guid eventId, Func<NpgsqlConnection, NpgsqlTransaction, Task> statements)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await statements(connection, transaction);
        await transaction.CommitAsync();
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    private async Task RefusedAsync(Guid eventId, string constraint, Func<NpgsqlConnection, NpgsqlTransaction, Task> statements)
    {
        var enrollments = await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", eventId);
        var transitions = await RawEnrollmentSql.CountAsync(database.DataSource, "enrollment_transitions", eventId);
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var refused = await Assert.ThrowsAsync<PostgresException>(() => statements(connection, transaction));
            Assert.Equal(constraint, refused.ConstraintName);
        }

        Assert.Equal(enrollments, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollments", eventId));
        Assert.Equal(transitions, await RawEnrollmentSql.CountAsync(database.DataSource, "enrollment_transitions", eventId));
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }
}
