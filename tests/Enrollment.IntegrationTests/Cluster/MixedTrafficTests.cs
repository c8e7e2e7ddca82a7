using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Telemetry;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Cluster;

/// <summary>
/// Mixed traffic on small hot events through a three-silo cluster, as people and an admin use it: enrollments,
/// cancellations and reads from each person in turn, check-ins, attendance and capacity changes from the admin, all at
/// once. With one activation per event the database never has to refuse a group, so the refusal counter stays at zero;
/// every answer is held against the database afterwards.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MixedTrafficTests(PostgresFixture database) : IAsyncLifetime
{
    private const int PeoplePerEvent = 40;
    private const int StepsPerPerson = 12;

    private InProcessTestCluster cluster = null!;
    private MetricRecorder metrics = null!;

    public async Task InitializeAsync()
    {
        cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 3);
        metrics = new MetricRecorder(cluster.Silos.Select(silo => silo.ServiceProvider));
    }

    public async Task DisposeAsync()
    {
        metrics.Dispose();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_mix_of_every_kind_of_call_commits_without_a_single_refusal_and_every_answer_holds()
    {
        (int Capacity, bool HasWaitlist)[] events = [(5, true), (12, false), (25, true)];
        var work = new List<Task>();
        var eventIds = new List<Guid>();
        var lastAnswers = new List<(Guid EventId, Guid User, Enrollment? Holds)>();
        var random = new Random(20261202);
        foreach (var (capacity, hasWaitlist) in events)
        {
            var evt = await database.CreateEventAsync(capacity, hasWaitlist, "Mixed traffic");
            eventIds.Add(evt.Id);
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
            for (var person = 0; person < PeoplePerEvent; person++)
            {
                var seed = random.Next();
                work.Add(Task.Run(async () =>
                {
                    var (user, holds) = await WalkAsync(grain, new Random(seed));
                    lock (lastAnswers)
                    {
                        lastAnswers.Add((evt.Id, user, holds));
                    }
                }));
            }

            work.Add(Task.Run(() => AdministerAsync(evt.Id, grain, capacity, hasWaitlist, new Random(random.Next()))));
        }

        await Task.WhenAll(work);

        Assert.Empty(metrics.Of(EnrollmentTelemetry.CommitRefusalsCounter));
        foreach (var eventId in eventIds)
        {
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, eventId, capacityWasLowered: true);
            var live = (await database.Queries.ListAsync(eventId)).Where(e => e.Status != EnrollmentStatus.Cancelled).ToDictionary(e => e.UserId);
            foreach (var (_, user, holds) in lastAnswers.Where(answer => answer.EventId == eventId))
            {
                // what each person was last told is what the database holds (the admin only moves statuses forward)
                Assert.Equal(holds?.Id, live.GetValueOrDefault(user)?.Id);
            }
        }

        var groups = metrics.Of(EnrollmentTelemetry.GroupCommitSizeHistogram);
        Assert.All(groups, group => Assert.Equal("committed", group.Tag("result")));
    }

    /// <summary>One person: enrolls, reads, cancels, enrolls again…, one call at a time, each answer checked.</summary>
    /// <returns>The person, and the enrollment they hold by their last answer (null: none).</returns>
    private static async Task<(Guid User, Enrollment? Holds)> WalkAsync(IEventCapacityGrain grain, Random random)
    {
        var user = Guid.NewGuid();
        Enrollment? holds = null;
        for (var step = 0; step < StepsPerPerson; step++)
        {
            switch (random.Next(10))
            {
                case < 5:
                    var enrolled = await grain.Enroll(user, Guid.NewGuid());
                    Assert.True(holds is null ? enrolled.Outcome is EnrollmentOutcome.Enrolled or EnrollmentOutcome.EventFull : enrolled.Outcome == EnrollmentOutcome.AlreadyEnrolled);
                    if (holds is not null)
                    {
                        Assert.Equal(holds.Id, enrolled.Enrollment!.Id);
                    }

                    holds = enrolled.Enrollment;
                    break;
                case < 8:
                    var cancelled = await grain.CancelOwn(user, new TransitionRequest(user, Guid.NewGuid(), null));
                    if (cancelled.Outcome == TransitionOutcome.Done)
                    {
                        Assert.Equal(holds?.Id, cancelled.Enrollment!.Id);
                        holds = null;
                    }

                    break;
                default:
                    var read = await grain.GetEnrollment(user);
                    Assert.Equal(holds?.Id, read?.Id);
                    break;
            }
        }

        return (user, holds);
    }

    /// <summary>
    /// The admin, working from the roster as the admin page shows it: checks in someone confirmed, marks someone checked
    /// in as attended, tries to promote someone waiting, and moves the capacity up and down. A roster read a moment ago
    /// may be out of date, so "not found" and "not allowed" are fair answers; a done one must say what was asked.
    /// </summary>
    private async Task AdministerAsync(Guid eventId, IEventCapacityGrain grain, int capacity, bool hasWaitlist, Random random)
    {
        for (var step = 0; step < 40; step++)
        {
            var request = new TransitionRequest(Guid.NewGuid(), Guid.NewGuid(), null);
            var roster = await database.Queries.ListAsync(eventId);
            Enrollment? Any(EnrollmentStatus status) => roster.Where(e => e.Status == status).OrderBy(_ => random.Next()).FirstOrDefault();
            switch (random.Next(4))
            {
                case 0:
                    Assert.NotNull(await grain.ChangePolicy(new EnrollmentPolicy(Math.Max(0, capacity + random.Next(-2, 4)), hasWaitlist), request));
                    break;
                case 1 when Any(EnrollmentStatus.Confirmed) is { } confirmed:
                    AssertDoneAs(EnrollmentStatus.CheckedIn, await grain.CheckIn(confirmed.Id, request));
                    break;
                case 2 when Any(EnrollmentStatus.CheckedIn) is { } checkedIn:
                    AssertDoneAs(EnrollmentStatus.Attended, await grain.Attend(checkedIn.Id, request));
                    break;
                case 3 when Any(EnrollmentStatus.Waitlisted) is { } waiting:
                    AssertDoneAs(EnrollmentStatus.Confirmed, await grain.Promote(waiting.Id, request));
                    break;
            }

            await Task.Delay(random.Next(2, 10));
        }
    }

    private static void AssertDoneAs(EnrollmentStatus status, TransitionResult answer)
    {
        if (answer.Outcome == TransitionOutcome.Done)
        {
            Assert.Equal(status, answer.Enrollment!.Status);
        }
    }
}
