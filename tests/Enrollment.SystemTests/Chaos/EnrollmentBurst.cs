using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// Many people enrolling into a few events, spread over a stretch of time so that a fault lands in the middle; then
/// everyone whose call failed tries again until answered (enrolling is idempotent per user), as a client would.
/// </summary>
public sealed class EnrollmentBurst
{
    private readonly List<(Guid EventId, Guid UserId)> calls;
    private readonly List<Task<(Guid EventId, Guid UserId, EnrollmentResult? Answer)>> running;

    private EnrollmentBurst(List<(Guid EventId, Guid UserId)> calls, List<Task<(Guid, Guid, EnrollmentResult?)>> running)
    {
        this.calls = calls;
        this.running = running;
    }

    public int Pending => running.Count(call => !call.IsCompleted);

    public int Count => calls.Count;

    /// <param name="seed">Orders the calls; fixed, so a failing run can be repeated.</param>
    public static EnrollmentBurst Start(IGrainFactory grains, IReadOnlyList<Guid> events, int perEvent, TimeSpan spread, int seed = 7)
    {
        var random = new Random(seed);
        var calls = events.SelectMany(eventId => Enumerable.Range(0, perEvent).Select(_ => (eventId, Guid.NewGuid())))
            .OrderBy(_ => random.Next()).ToList();
        var running = calls.Select(async (call, index) =>
        {
            await Task.Delay(spread * index / calls.Count);
            try
            {
                return (call.Item1, call.Item2, (EnrollmentResult?)await grains.GetGrain<IEventCapacityGrain>(call.Item1).Enroll(call.Item2, Guid.NewGuid()));
            }
            catch (Exception)
            {
                return (call.Item1, call.Item2, (EnrollmentResult?)null);
            }
        }).ToList();
        return new EnrollmentBurst(calls, running);
    }

    /// <summary>The answers as first given (null: the call failed).</summary>
    public async Task<IReadOnlyList<(Guid EventId, Guid UserId, EnrollmentResult? Answer)>> FirstAnswersAsync() => await Task.WhenAll(running);

    /// <summary>Every call, failed ones retried until answered; fails the test if one is not answered within the timeout.</summary>
    public async Task<IReadOnlyList<(Guid EventId, EnrollmentResult Answer)>> FinalAnswersAsync(IGrainFactory grains, TimeSpan timeout)
    {
        var first = await FirstAnswersAsync();
        var retried = await Task.WhenAll(first.Where(call => call.Answer is null).Select(async call =>
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                try
                {
                    return (call.EventId, await grains.GetGrain<IEventCapacityGrain>(call.EventId).Enroll(call.UserId, Guid.NewGuid()));
                }
                catch (Exception) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(250);
                }
            }
        }));
        var all = first.Where(call => call.Answer is not null).Select(call => (call.EventId, call.Answer!)).Concat(retried).ToList();
        Assert.Equal(calls.Count, all.Count);
        return all;
    }

    /// <summary>After the fault: the database holds exactly what callers were told, and the usual checks of <see cref="ChaosChecks"/>.</summary>
    public static async Task AssertConvergedAsync(
        Npgsql.NpgsqlDataSource dataSource, EnrollmentQueries queries, IReadOnlyList<Guid> events,
        IReadOnlyList<(Guid EventId, EnrollmentResult Answer)> answers, int capacity)
    {
        foreach (var eventId in events)
        {
            var forEvent = answers.Where(a => a.EventId == eventId).Select(a => a.Answer).ToList();
            Assert.All(forEvent, answer => Assert.NotEqual(EnrollmentOutcome.EventNotFound, answer.Outcome));
            Assert.Equal(capacity, forEvent.Count(answer => answer.IsConfirmed));
            await AnsweredCalls.AssertDatabaseEqualsAsync(queries, eventId, forEvent);
            await ChaosChecks.AssertNothingLostAsync(dataSource, queries, eventId, forEvent, TimeSpan.FromSeconds(30));
        }
    }
}
