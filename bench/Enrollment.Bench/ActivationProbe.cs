using System.Diagnostics;
using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Bench;

/// <summary>
/// What an event's grain costs to hold and to wake: the managed memory of an activation over 10,000 enrollments, and
/// the time to activate one over 100,000. The enrollments are inserted with SQL first, in one statement each event.
/// </summary>
public static class ActivationProbe
{
    public const int MemoryEnrollments = 10_000;
    public const int TimedEnrollments = 100_000;

    // Median of a few samples: other work in the process (relay, stream agents) moves a single reading a little.
    private const int MemorySamples = 3;

    public sealed record Figures(long BytesFor10K, TimeSpan ActivationOf100K, TimeSpan SeedOf100K, IReadOnlyList<Guid> EventIds);

    public static async Task<Figures> MeasureAsync(BenchDatabase database, IGrainFactory grains, int capacity)
    {
        var eventIds = new List<Guid>();

        // One activation first, so code paths and pools that warm up once are not counted as the event's memory.
        var warm = await SeededEventAsync(database, capacity, 100, eventIds);
        await ActivateAsync(grains, warm, capacity, 100);

        var samples = new List<long>();
        for (var sample = 0; sample < MemorySamples; sample++)
        {
            var eventId = await SeededEventAsync(database, capacity, MemoryEnrollments, eventIds);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            await ActivateAsync(grains, eventId, capacity, MemoryEnrollments);
            var after = GC.GetTotalMemory(forceFullCollection: true);
            samples.Add(after - before);
        }

        samples.Sort();

        var seeding = Stopwatch.StartNew();
        var big = await SeededEventAsync(database, capacity, TimedEnrollments, eventIds);
        var seedTime = seeding.Elapsed;
        var activating = Stopwatch.StartNew();
        await ActivateAsync(grains, big, capacity, TimedEnrollments);
        return new Figures(samples[samples.Count / 2], activating.Elapsed, seedTime, eventIds);
    }

    /// <summary>The first call on a grain activates it: loading the event's state is part of what it waits for.</summary>
    public static async Task ActivateAsync(IGrainFactory grains, Guid eventId, int capacity, int enrollments)
    {
        var summary = await grains.GetGrain<IEventCapacityGrain>(eventId).GetSummary()
            ?? throw new InvalidOperationException($"The grain of event {eventId} does not know it.");
        var active = Math.Min(capacity, enrollments);
        if (summary.ActiveCount != active || summary.WaitlistCount != enrollments - active)
        {
            throw new InvalidOperationException(
                $"Event {eventId} activated with {summary.ActiveCount} active and {summary.WaitlistCount} waiting; " +
                $"{active} and {enrollments - active} were inserted.");
        }
    }

    private static async Task<Guid> SeededEventAsync(BenchDatabase database, int capacity, int enrollments, List<Guid> eventIds)
    {
        var eventId = await SeedEventAsync(database, $"bench: activation over {enrollments} enrollments", capacity, enrollments);
        eventIds.Add(eventId);
        return eventId;
    }

    /// <summary>A new event holding <paramref name="enrollments"/> enrollments, inserted with SQL (the grain not activated).</summary>
    public static async Task<Guid> SeedEventAsync(BenchDatabase database, string title, int capacity, int enrollments)
    {
        var eventId = await database.CreateEventAsync(title, capacity);
        // The first `capacity` are confirmed, the rest waitlisted at positions 1, 2, 3…: exactly what the triggers
        // accept from one statement. Each gets its creation audit row in the same statement.
        await using var command = database.DataSource.CreateCommand(
            """
            WITH seeded AS (
                INSERT INTO enrollments (id, event_id, user_id, status, waitlist_position, created_at, updated_at)
                SELECT gen_random_uuid(), $1, gen_random_uuid(),
                       CASE WHEN n <= $2 THEN 'confirmed' ELSE 'waitlisted' END,
                       CASE WHEN n > $2 THEN n - $2 END,
                       now(), now()
                  FROM generate_series(1, $3) AS n
                RETURNING id, status, created_at)
            INSERT INTO enrollment_transitions (enrollment_id, event_id, from_status, to_status, reason, occurred_at)
            SELECT id, $1, NULL, status, 'seeded by the bench', created_at FROM seeded
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = capacity });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = enrollments });
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync();
        return eventId;
    }
}
