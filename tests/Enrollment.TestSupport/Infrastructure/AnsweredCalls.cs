using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>What callers were told, checked against what the database holds.</summary>
public static class AnsweredCalls
{
    /// <summary>Every enrollment a caller was given is in the database exactly as given.</summary>
    public static async Task AssertDurableAsync(EnrollmentQueries queries, Guid eventId, IEnumerable<EnrollmentResult> answers)
    {
        var stored = (await queries.ListAsync(eventId)).ToDictionary(enrollment => enrollment.Id);
        foreach (var enrollment in answers.Select(answer => answer.Enrollment).OfType<Enrollment>())
        {
            Assert.True(stored.TryGetValue(enrollment.Id, out var row), $"enrollment {enrollment.Id} was answered but is not in the database");
            Assert.Equal(enrollment.UserId, row.UserId);
            Assert.Equal(enrollment.Status, row.Status);
            Assert.Equal(enrollment.WaitlistPosition, row.WaitlistPosition);
        }
    }

    /// <summary>The database holds exactly the enrollments callers were given: nothing unanswered, nothing extra.</summary>
    public static async Task AssertDatabaseEqualsAsync(EnrollmentQueries queries, Guid eventId, IEnumerable<EnrollmentResult> answers)
    {
        var given = answers.Select(answer => answer.Enrollment).OfType<Enrollment>().DistinctBy(enrollment => enrollment.Id).ToList();
        await AssertDurableAsync(queries, eventId, given.Select(EnrollmentResult.Enrolled));
        Assert.Equal(given.Count, (await queries.ListAsync(eventId)).Count);
    }
}
