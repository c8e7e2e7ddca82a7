using System.Diagnostics;
using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>What every chaos test asserts once the fault is over, and how it measures the recovery.</summary>
public static class ChaosChecks
{
    /// <summary>
    /// The event is consistent and nothing told is lost: every invariant holds, every answered enrollment is in the
    /// database as answered, and every committed transition's domain event left the outbox and was consumed once
    /// (sequences 1..N with no gap, N notifications).
    /// </summary>
    public static async Task AssertNothingLostAsync(
        NpgsqlDataSource dataSource, EnrollmentQueries queries, Guid eventId, IEnumerable<EnrollmentResult> answered, TimeSpan drainTimeout)
    {
        await DatabaseInvariants.AssertHoldAsync(dataSource, eventId);
        await AnsweredCalls.AssertDurableAsync(queries, eventId, answered);
        var transitions = await CountTransitionsAsync(dataSource, eventId);
        var clock = Stopwatch.StartNew();
        OutboxState state;
        while ((state = await OutboxState.ReadAsync(dataSource, eventId)) is not { Undispatched: 0 } || state.Notifications < transitions)
        {
            Assert.True(clock.Elapsed < drainTimeout, $"event {eventId}: {transitions} transitions, outbox not drained in {drainTimeout.TotalSeconds:0} s: {state}");
            await Task.Delay(100);
        }

        await OutboxState.AssertDeliveredExactlyOnceAsync(dataSource, eventId, (int)transitions, TimeSpan.FromSeconds(1));
    }

    /// <summary>How long until <paramref name="serves"/> first succeeds, polling every 100 ms; fails the test after the timeout.</summary>
    public static async Task<TimeSpan> TimeUntilServingAsync(Func<Task<bool>> serves, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await serves())
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception) when (clock.Elapsed < timeout)
            {
                // still down: that is what is being measured
            }

            Assert.True(clock.Elapsed < timeout, $"not serving again within {timeout.TotalSeconds:0} s: {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<long> CountTransitionsAsync(NpgsqlDataSource dataSource, Guid eventId)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM enrollment_transitions WHERE event_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
