using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>
/// The database on its own refuses what offers must never do, whoever writes (migration 0013): an offer holds a seat, has
/// a deadline, goes to the person who arrived first, and moves only to confirmed or cancelled.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OfferBackstopTests(PostgresFixture database)
{
    private static readonly DateTimeOffset Deadline = DateTimeOffset.UtcNow.AddHours(12);

    /// <summary>One seat, taken; two people waiting (positions 1 and 2).</summary>
    private async Task<(Guid EventId, Guid Seated, Guid First, Guid Second)> FullEventAsync()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var seated = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "confirmed", null);
        var first = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 1);
        var second = await RawEnrollmentSql.InsertAsync(database.DataSource, evt.Id, Guid.NewGuid(), "waitlisted", 2);
        return (evt.Id, seated, first, second);
    }

    private static async Task OfferAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid enrollmentId, DateTimeOffset? deadline)
    {
        // with its audit row, as every writer must (the invariants check that each enrollment's last audit row is its status)
        await using var command = new NpgsqlCommand(
            """
            WITH before AS (SELECT id, event_id, status FROM enrollments WHERE id = $1),
            moved AS (UPDATE enrollments SET status = 'offered', offer_expires_at = $2, updated_at = now() WHERE id = $1 RETURNING id)
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, occurred_at)
            SELECT id, event_id, status, 'offered', 'raw test offer', now() FROM before
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = enrollmentId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)deadline ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Cancels the seated person and offers the seat to <paramref name="offered"/>, in one transaction.</summary>
    private async Task<PostgresException?> FreeTheSeatAndOfferAsync(Guid seated, Guid offered, DateTimeOffset? deadline)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        try
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, seated, "cancelled");
            await OfferAsync(connection, transaction, offered, deadline);
            await transaction.CommitAsync();
            return null;
        }
        catch (PostgresException exception)
        {
            return exception;
        }
    }

    [Fact]
    public async Task The_seat_freed_for_the_head_of_the_waitlist_can_be_offered_and_then_counts_as_taken()
    {
        var (eventId, seated, first, _) = await FullEventAsync();

        Assert.Null(await FreeTheSeatAndOfferAsync(seated, first, Deadline));

        // the held seat is nobody else's
        var refused = await Assert.ThrowsAsync<PostgresException>(
            () => RawEnrollmentSql.InsertAsync(database.DataSource, eventId, Guid.NewGuid(), "confirmed", null));
        Assert.Equal("enrollment_capacity", refused.ConstraintName);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task An_offer_without_a_deadline_is_refused()
    {
        var (eventId, seated, first, _) = await FullEventAsync();

        Assert.Equal("enrollments_offer_has_deadline", (await FreeTheSeatAndOfferAsync(seated, first, deadline: null))?.ConstraintName);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task An_offer_to_someone_who_arrived_after_a_person_still_waiting_is_refused()
    {
        var (eventId, seated, _, second) = await FullEventAsync();

        Assert.Equal("enrollment_offers_in_arrival_order", (await FreeTheSeatAndOfferAsync(seated, second, Deadline))?.ConstraintName);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
    }

    [Fact]
    public async Task An_offer_on_a_full_event_is_refused()
    {
        var (eventId, _, first, _) = await FullEventAsync();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => OfferAsync(connection, transaction, first, Deadline));

        Assert.Equal("enrollment_capacity", refused.ConstraintName);
    }

    [Theory]
    [InlineData("confirmed", null)]
    [InlineData("cancelled", null)]
    [InlineData("checked_in", "enrollment_follows_lifecycle")]
    [InlineData("waitlisted", "enrollment_arrival_order_permanent")]
    public async Task An_offer_ends_only_accepted_or_cancelled(string to, string? refusedBy)
    {
        var (eventId, seated, first, second) = await FullEventAsync();
        Assert.Null(await FreeTheSeatAndOfferAsync(seated, first, Deadline));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var moved = async () =>
        {
            await RawEnrollmentSql.MoveAsync(connection, transaction, first, to);
            if (to == "cancelled")
            {
                await OfferAsync(connection, transaction, second, Deadline); // the seat goes on, or the commit is refused
            }

            await transaction.CommitAsync();
        };

        if (refusedBy is null)
        {
            await moved();
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId);
        }
        else
        {
            // back to waiting would also break "no free seat while waiting" at commit; the lifecycle check refuses it sooner
            var refused = await Assert.ThrowsAsync<PostgresException>(moved);
            Assert.True(refused.ConstraintName is "enrollment_follows_lifecycle" or "enrollment_arrival_order_permanent" or "enrollment_no_free_seat_while_waiting",
                refused.ConstraintName);
        }
    }

    [Theory]
    [InlineData("offer", null, "enrollment_policies_offer_claim_window")]
    [InlineData("offer", "0 seconds", "enrollment_policies_offer_claim_window")]
    [InlineData("offer", "31 days", "enrollment_policies_offer_claim_window")]
    [InlineData("automatic", "1 hour", "enrollment_policies_offer_claim_window")]
    [InlineData("offer", "12 hours", null)]
    public async Task A_policy_offers_only_with_a_claim_window_of_one_second_to_thirty_days(string promotion, string? window, string? refusedBy)
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        await using var command = database.DataSource.CreateCommand(
            "UPDATE enrollment_policies SET promotion = $2, claim_window = $3::interval WHERE event_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = evt.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = promotion });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)window ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });

        if (refusedBy is null)
        {
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            Assert.Equal(refusedBy, (await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync())).ConstraintName);
        }
    }
}
