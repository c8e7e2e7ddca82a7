using CsCheck;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Lifecycle;

/// <summary>
/// Model-based property test: random sequences of enroll, cancel, check-in, attend, promote and policy changes run
/// against a real cluster and against <see cref="ReferenceModel"/>; after every step the answers, every user's
/// enrollment (status and waiting rank) and the counts must agree, and at the end the database must hold the same
/// state and every invariant.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class EnrollmentModelTests(PostgresFixture database) : IAsyncLifetime
{
    private const int Users = 7;

    private InProcessTestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 2);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    public sealed record Step(string Kind, int User, int? Capacity = null, bool HasWaitlist = false)
    {
        public override string ToString() => Kind == "policy" ? $"policy(capacity {Capacity?.ToString() ?? "∞"}, waitlist {HasWaitlist})" : $"{Kind}(u{User})";
    }

    private static readonly Gen<Step> Steps = Gen.Frequency(
        (6, Gen.Int[0, Users - 1].Select(user => new Step("enroll", user))),
        (2, Gen.Int[0, Users - 1].Select(user => new Step("cancel-own", user))),
        (1, Gen.Int[0, Users - 1].Select(user => new Step("cancel", user))),
        (2, Gen.Int[0, Users - 1].Select(user => new Step("check-in", user))),
        (1, Gen.Int[0, Users - 1].Select(user => new Step("attend", user))),
        (1, Gen.Int[0, Users - 1].Select(user => new Step("promote", user))),
        (1, Gen.Select(Gen.Int[-1, 4], Gen.Bool, (capacity, waitlist) => new Step("policy", 0, capacity < 0 ? null : capacity, waitlist))));

    private static readonly Gen<(int Capacity, bool HasWaitlist, Step[] Steps)> Scenarios =
        Gen.Select(Gen.Int[0, 3], Gen.Bool, Steps.Array[1, 30]);

    [Fact]
    public async Task The_cluster_behaves_like_the_reference_model_after_every_step()
    {
        await Scenarios.SampleAsync(async scenario => await RunAsync(scenario.Capacity, scenario.HasWaitlist, scenario.Steps), iter: 60, threads: 1);
    }

    private async Task RunAsync(int capacity, bool hasWaitlist, Step[] steps)
    {
        var evt = await database.CreateEventAsync(capacity, hasWaitlist, "Model run");
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        var model = new ReferenceModel(capacity, hasWaitlist);
        var userIds = Enumerable.Range(0, Users).Select(_ => Guid.NewGuid()).ToArray();
        var admin = Guid.NewGuid();

        foreach (var step in steps)
        {
            var request = new TransitionRequest(admin, Guid.NewGuid(), $"model step {step}");
            var enrollmentId = (await grain.GetEnrollment(userIds[step.User]))?.Id ?? Guid.NewGuid();
            switch (step.Kind)
            {
                case "enroll":
                    var (outcome, status) = model.Enroll(step.User);
                    var answer = await grain.Enroll(userIds[step.User], Guid.NewGuid());
                    Assert.Equal(outcome, answer.Outcome);
                    Assert.Equal(status, answer.Enrollment?.Status);
                    Assert.Equal(model.RankOf(step.User), answer.Enrollment?.WaitlistRank);
                    break;
                case "cancel-own":
                    AssertTransition(model.Cancel(step.User), await grain.CancelOwn(userIds[step.User], request with { ActorId = null }), EnrollmentStatus.Cancelled);
                    break;
                case "cancel":
                    AssertTransition(model.Cancel(step.User), await grain.Cancel(enrollmentId, request), EnrollmentStatus.Cancelled);
                    break;
                case "check-in":
                    AssertTransition(model.CheckIn(step.User), await grain.CheckIn(enrollmentId, request), EnrollmentStatus.CheckedIn);
                    break;
                case "attend":
                    AssertTransition(model.Attend(step.User), await grain.Attend(enrollmentId, request), EnrollmentStatus.Attended);
                    break;
                case "promote":
                    AssertTransition(model.Promote(step.User), await grain.Promote(enrollmentId, request), EnrollmentStatus.Confirmed);
                    break;
                case "policy":
                    model.ChangePolicy(step.Capacity, step.HasWaitlist);
                    Assert.NotNull(await grain.ChangePolicy(new EnrollmentPolicy(step.Capacity, step.HasWaitlist), request));
                    break;
            }

            var summary = (await grain.GetSummary())!;
            Assert.Equal(new EnrollmentPolicy(model.Capacity, model.HasWaitlist), summary.Policy);
            Assert.Equal(model.Active, summary.ActiveCount);
            Assert.Equal(model.Waiting, summary.WaitlistCount);
            for (var user = 0; user < Users; user++)
            {
                var enrollment = await grain.GetEnrollment(userIds[user]);
                Assert.Equal(model.StatusOf(user), enrollment?.Status);
                Assert.Equal(model.RankOf(user), enrollment?.WaitlistRank);
            }
        }

        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id, capacityWasLowered: steps.Any(step => step.Kind == "policy"));
        var stored = (await database.Queries.ListAsync(evt.Id)).Where(e => e.Status != EnrollmentStatus.Cancelled).ToList();
        for (var user = 0; user < Users; user++)
        {
            Assert.Equal(model.StatusOf(user), stored.SingleOrDefault(e => e.UserId == userIds[user])?.Status);
        }
    }

    private static void AssertTransition(TransitionOutcome expected, TransitionResult actual, EnrollmentStatus statusWhenDone)
    {
        Assert.Equal(expected, actual.Outcome);
        if (expected == TransitionOutcome.Done)
        {
            Assert.Equal(statusWhenDone, actual.Enrollment!.Status);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(actual.Message));
        }
    }
}
