using Npgsql;

namespace OrleansEnrollment.Tests.Store;

/// <summary>Holds an event's policy row lock from outside, and watches commits queue up behind it.</summary>
internal static class PolicyRowLocks
{
    /// <summary>Holds the event's policy row lock until the connection is disposed (its transaction rolled back).</summary>
    public static async Task<NpgsqlConnection> HoldAsync(NpgsqlDataSource dataSource, Guid eventId)
    {
        var connection = await dataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand("SELECT 1 FROM enrollment_policies WHERE event_id = $1 FOR UPDATE", connection, transaction);
        hold.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        await hold.ExecuteScalarAsync();
        return connection;
    }

    /// <returns>The process id of the first of <paramref name="backends"/> commits waiting in the lock function.</returns>
    public static async Task<int> WaitUntilWaitingInTheLockFunctionAsync(NpgsqlDataSource dataSource, int backends = 1)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            await using var activity = dataSource.CreateCommand(
                "SELECT array_agg(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%lock_policies_as_expected%'");
            if (await activity.ExecuteScalarAsync() is int[] pids && pids.Length == backends)
            {
                return pids[0];
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"{backends} commit(s) never waited in lock_policies_as_expected");
    }
}
