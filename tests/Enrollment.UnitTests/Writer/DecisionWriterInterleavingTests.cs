using OrleansEnrollment.Enrollments;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Writer;

/// <summary>
/// Thousands of seeded random interleavings of calls and store outcomes: calls of every kind arrive between any two
/// steps of the writer, and every store call ends at a random moment in a random way (success, refusal, failure before
/// or after its commit, a transaction that arrives late). Afterwards every answer is held against the scripted
/// database's history. Replay a failure with its seed: the run is single-threaded, so a seed is one exact interleaving.
/// </summary>
public sealed class DecisionWriterInterleavingTests(ITestOutputHelper output)
{
    private const int Users = 6;

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 40).Select(seed => seed * 7919));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_answer_rests_on_committed_decisions_whatever_fails_and_whenever_calls_arrive(int seed) => ActivationContext.Run(async () =>
    {
        var random = new Random(seed);
        var writer = new WriterHarness(capacity: random.Next(0, 4), hasWaitlist: random.Next(4) > 0, loadAtStart: random.Next(2) == 0);
        var users = Enumerable.Range(0, Users).Select(_ => Guid.NewGuid()).ToArray();
        var calls = new List<RecordedCall>();

        for (var step = 0; step < 300; step++)
        {
            var roll = random.Next(100);
            if (roll < 45)
            {
                calls.Add(SendRandomCall(writer, random, users));
            }
            else if (roll < 95 && writer.Store.Waiting.Count > 0)
            {
                var call = writer.Store.Waiting[random.Next(writer.Store.Waiting.Count)];
                writer.Store.End(call.Kind, RandomVerdict(random, call.Kind));
            }
            else
            {
                writer.Store.ArriveLate();
            }

            await ActivationContext.IdleAsync();
        }

        // Let everything finish: every store call from now on succeeds.
        writer.Store.Always = Verdict.Succeed;
        foreach (var waiting in writer.Store.Waiting.ToList())
        {
            writer.Store.End(waiting.Kind, Verdict.Succeed);
        }

        writer.Store.ArriveLate();
        await ActivationContext.IdleAsync();
        Assert.All(calls, call => Assert.True(call.Answer.IsCompleted, $"seed {seed}: {call} was never answered"));

        var context = $"seed {seed}";
        Assert.True(writer.Database.Violations.Count == 0, $"{context}: {string.Join("; ", writer.Database.Violations)}");
        writer.AssertNothingDecidedTwice();
        foreach (var call in calls)
        {
            AssertHeldAgainstHistory(call, writer.Database, context);
        }

        // and the writer's own view is the database's
        var summary = (await writer.Summary())!;
        Assert.Equal((writer.Database.Active, writer.Database.Waiting, writer.Database.Policy), (summary.ActiveCount, summary.WaitlistCount, summary.Policy));
        foreach (var user in users)
        {
            Assert.Equal(writer.Database.Live.SingleOrDefault(e => e.UserId == user)?.Id, (await writer.Read(user))?.Id);
        }

        output.WriteLine($"{context}: {calls.Count} calls ({calls.Count(c => c.Answer.IsCompletedSuccessfully)} answered, " +
                         $"{calls.Count(c => c.Answer.IsFaulted)} failed), {writer.Store.Calls.Count} store calls, {writer.Database.History.Count} committed changes");
    });

    /// <summary>
    /// A success that writes has its change in the history, under its request id, with the status answered; a failure
    /// that says nothing was written has none; an enrollment in any answer appears in the history with that status.
    /// </summary>
    private static void AssertHeldAgainstHistory(RecordedCall call, InMemoryEvent database, string context)
    {
        // promotions carry the request id of the decision that freed the seat, with no actor; the call's own change has one
        var own = database.History.Where(change => change.RequestId == call.RequestId && change.ActorId is not null).ToList();
        if (call.Answer.IsFaulted)
        {
            var failure = Assert.IsType<EnrollmentUnavailableException>(call.Answer.Exception!.InnerException);
            Assert.False(failure.NothingWritten && database.History.Any(change => change.RequestId == call.RequestId),
                $"{context}: {call} was answered 'nothing written' but its change was committed");
            return;
        }

        var (enrollment, writes) = call.Answer.Result switch
        {
            EnrollmentResult result => (result.Enrollment, result.Outcome == EnrollmentOutcome.Enrolled),
            TransitionResult result => (result.Enrollment, result.Outcome == TransitionOutcome.Done),
            Enrollment read => (read, false),
            _ => ((Enrollment?)null, false),
        };

        if (writes)
        {
            Assert.True(own.Any(change => change.After.Id == enrollment!.Id && change.After.Status == enrollment.Status),
                $"{context}: {call} was answered {enrollment!.Status.ToName()} for {enrollment.Id}, which the database never committed");
        }
        else
        {
            Assert.True(own.Count == 0, $"{context}: {call} wrote nothing by its answer, but the database holds a change of it");
        }

        if (enrollment is not null)
        {
            Assert.True(database.History.Any(change => change.After.Id == enrollment.Id && change.After.Status == enrollment.Status
                                                    && change.After.WaitlistPosition == enrollment.WaitlistPosition),
                $"{context}: {call} answered enrollment {enrollment.Id} as {enrollment.Status.ToName()}, which is in no committed state");
        }
    }

    private static RecordedCall SendRandomCall(WriterHarness writer, Random random, Guid[] users)
    {
        var user = users[random.Next(users.Length)];
        var requestId = Guid.NewGuid();
        return random.Next(100) switch
        {
            < 35 => new RecordedCall("enroll", user, requestId, Boxed(writer.Enroll(user, requestId))),
            < 55 => new RecordedCall("cancel", user, requestId, Boxed(writer.CancelOwn(user, requestId))),
            < 70 => new RecordedCall("read", user, requestId, Boxed(writer.Read(user))),
            < 75 => new RecordedCall("summary", user, requestId, Boxed(writer.Summary())),
            < 83 => new RecordedCall("check-in", user, requestId, Boxed(writer.Admin(user, (state, id, request) => state.DecideCheckIn(id, request, WriterHarness.Now), requestId))),
            < 88 => new RecordedCall("attend", user, requestId, Boxed(writer.Admin(user, (state, id, request) => state.DecideAttend(id, request, WriterHarness.Now), requestId))),
            < 93 => new RecordedCall("promote", user, requestId, Boxed(writer.Admin(user, (state, id, request) => state.DecidePromote(id, request, WriterHarness.Now), requestId))),
            _ => new RecordedCall("policy", user, requestId, Boxed(writer.ChangePolicy(random.Next(5) is var capacity && capacity == 4 ? null : capacity, random.Next(3) > 0, requestId))),
        };
    }

    private static Verdict RandomVerdict(Random random, StoreCallKind kind) => (kind, random.Next(100)) switch
    {
        (_, < 70) => Verdict.Succeed,
        (StoreCallKind.Commit, < 78) => Verdict.Refuse,
        (StoreCallKind.Commit, < 85) => Verdict.FailBefore,
        (StoreCallKind.Commit, < 93) => Verdict.FailAfter,
        (StoreCallKind.Commit, _) => Verdict.ArriveLate,
        (StoreCallKind.DecideUnderLock, < 78) => Verdict.FailEarly,
        (StoreCallKind.DecideUnderLock, < 86) => Verdict.FailBefore,
        (StoreCallKind.DecideUnderLock, < 94) => Verdict.FailAfter,
        (StoreCallKind.DecideUnderLock, _) => Verdict.Refuse,
        _ => Verdict.FailEarly,
    };

    private static async Task<object?> Boxed<T>(Task<T> answer) => await answer;

    private sealed record RecordedCall(string Kind, Guid User, Guid RequestId, Task<object?> Answer)
    {
        public override string ToString() => $"{Kind} by {User} (request {RequestId})";
    }
}
