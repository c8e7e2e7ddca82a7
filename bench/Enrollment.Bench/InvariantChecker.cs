using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Bench;

/// <summary>The events a scenario used, checked with the same invariants as the tests, plus what the clients were told.</summary>
public static class InvariantChecker
{
    /// <param name="expectedEnrollments">How many enrollments the scenario's clients were told were made.</param>
    /// <returns>One line per broken invariant; empty when all hold.</returns>
    public static async Task<IReadOnlyList<string>> CheckAsync(
        NpgsqlDataSource dataSource, string scenario, IReadOnlyCollection<Guid> eventIds, long? expectedEnrollments, bool capacityMayHaveBeenLowered = false)
    {
        var problems = (await EnrollmentInvariants.FindViolationsAsync(dataSource, eventIds, capacityMayHaveBeenLowered))
            .Select(problem => $"{scenario}: {problem}")
            .ToList();

        if (expectedEnrollments is { } expected && await EnrollmentInvariants.CountEnrollmentsAsync(dataSource, eventIds) is var total && total != expected)
        {
            problems.Add($"{scenario}: the database holds {total} enrollment(s) but the clients were answered {expected}");
        }

        return problems;
    }
}
