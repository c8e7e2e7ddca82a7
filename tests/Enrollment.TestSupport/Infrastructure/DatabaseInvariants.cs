using Npgsql;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// Reads an event straight from the database and asserts every invariant the system promises
/// (<see cref="EnrollmentInvariants"/>), whatever path wrote the rows.
/// </summary>
public static class DatabaseInvariants
{
    /// <param name="capacityWasLowered">
    /// True when an admin may have lowered the capacity below the active count: that evicts nobody, so then only new
    /// seats are refused (the triggers' job) and active ≤ capacity is not checked here.
    /// </param>
    public static async Task AssertHoldAsync(NpgsqlDataSource dataSource, Guid eventId, bool capacityWasLowered = false) =>
        Assert.Empty(await EnrollmentInvariants.FindViolationsAsync(dataSource, [eventId], capacityWasLowered));
}
