using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Database;

/// <summary>Migration 0022 holds the limits of EventDetails for every writer, not just the application's checks.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventDetailsConstraintsTests(PostgresFixture database)
{
    [Theory]
    [InlineData("description = repeat('d', 4001)", "events_description_length")]
    [InlineData("location = repeat('l', 201)", "events_location_length")]
    [InlineData("location = E'two\\nlines'", "events_location_one_line")]
    [InlineData("ends_at = starts_at", "events_end_after_start")]
    [InlineData("ends_at = starts_at - interval '1 hour'", "events_end_after_start")]
    [InlineData("time_zone = '../../etc/passwd'", "events_time_zone_name")]
    [InlineData("time_zone = ''", "events_time_zone_name")]
    public async Task The_database_refuses_details_out_of_bounds(string assignment, string constraint)
    {
        var info = await database.CreateEventAsync(capacity: 1, hasWaitlist: false);
        await using var update = database.DataSource.CreateCommand($"UPDATE events SET {assignment} WHERE id = $1");
        update.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = info.Id });

        var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());

        Assert.Equal((PostgresErrorCodes.CheckViolation, constraint), (refused.SqlState, refused.ConstraintName));
    }

    [Fact]
    public async Task An_event_created_without_details_reads_as_UTC_with_none()
    {
        var created = await database.CreateEventAsync(capacity: 1, hasWaitlist: false);
        var info = (await database.Catalog.FindAsync(created.Id))!;

        Assert.Equal(("UTC", "", "", (DateTimeOffset?)null), (info.TimeZone, info.Description, info.Location, info.EndsAt));
    }
}
