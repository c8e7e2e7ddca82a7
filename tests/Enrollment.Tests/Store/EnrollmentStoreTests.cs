using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>The store driven directly, as two deciders with their own (possibly stale) state would drive it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EnrollmentStoreTests(PostgresFixture database)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static EnrollmentDecision.Admit Admit(EventCapacityState state, Guid? userId = null)
    {
        var decision = state.Decide(new EnrollmentRequest(userId ?? Guid.NewGuid(), Guid.NewGuid(), Now));
        var admit = Assert.IsType<EnrollmentDecision.Admit>(decision);
        state.Apply(admit);
        return admit;
    }

    private static DecisionWrite Write(params IEnumerable<EnrollmentDecision.Admit> admits) => new(admits.Select(admit => admit.Change).ToList());

    [Fact]
    public async Task Loads_an_unknown_event_as_null()
    {
        Assert.Null(await database.Store.LoadAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Commits_a_group_of_decisions_with_their_audit_rows_and_reloads_them()
    {
        var evt = await database.CreateEventAsync(capacity: 30, hasWaitlist: true);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        var admits = Enumerable.Range(0, 50).Select(_ => Admit(state)).ToList();

        var result = await database.Store.CommitAsync(evt.Id, expectedVersion: 0, Write(admits));

        var committed = Assert.IsType<CommitResult.Committed>(result);
        var reloaded = (await database.Store.LoadAsync(evt.Id))!;
        Assert.Equal(committed.Version, reloaded.Version);
        Assert.Equal(30, reloaded.ActiveCount);
        Assert.Equal(20, reloaded.WaitlistCount);
        Assert.Equal(20, reloaded.LastWaitlistPosition);
        Assert.All(admits, admit => Assert.Equal(admit.Enrollment, reloaded.FindLive(admit.Enrollment.UserId)));

        var transitions = await database.Queries.ListTransitionsAsync(evt.Id);
        Assert.Equal(50, transitions.Count);
        Assert.All(transitions, transition =>
        {
            var admit = admits.Single(a => a.Change.After.Id == transition.EnrollmentId);
            Assert.Null(transition.From);
            Assert.Equal(admit.Enrollment.Status, transition.To);
            Assert.Equal(admit.Request.RequestId, transition.RequestId);
            Assert.Equal(admit.Enrollment.UserId, transition.ActorId);
        });
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task Two_deciders_racing_for_the_last_seat_leave_exactly_one_enrolled()
    {
        for (var round = 0; round < 20; round++)
        {
            var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: false);
            var first = (await database.Store.LoadAsync(evt.Id))!;
            var second = (await database.Store.LoadAsync(evt.Id))!;

            var results = await Task.WhenAll(
                database.Store.CommitAsync(evt.Id, first.Version, Write(Admit(first))),
                database.Store.CommitAsync(evt.Id, second.Version, Write(Admit(second))));

            Assert.Single(results.OfType<CommitResult.Committed>());
            Assert.Single(results.OfType<CommitResult.Conflict>());
            Assert.Single(await database.Queries.ListAsync(evt.Id));
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
        }
    }

    [Fact]
    public async Task A_stale_decider_writes_nothing()
    {
        var evt = await database.CreateEventAsync(capacity: 2, hasWaitlist: true);
        var fresh = (await database.Store.LoadAsync(evt.Id))!;
        var stale = (await database.Store.LoadAsync(evt.Id))!;
        var sameUser = Guid.NewGuid();
        Assert.IsType<CommitResult.Committed>(await database.Store.CommitAsync(evt.Id, fresh.Version, Write(Admit(fresh, sameUser), Admit(fresh))));

        // The stale decider still sees two free seats and no enrollment for this user.
        var result = await database.Store.CommitAsync(evt.Id, stale.Version, Write(Admit(stale, sameUser)));

        var conflict = Assert.IsType<CommitResult.Conflict>(result);
        Assert.Contains("stale", conflict.Reason);
        Assert.Equal(2, (await database.Queries.ListAsync(evt.Id)).Count);
        Assert.Equal(2, (await database.Queries.ListTransitionsAsync(evt.Id)).Count);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_decision_the_rule_does_not_allow_is_refused_with_its_whole_group()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        var confirmed = Admit(state);
        // a forged decision: a second confirmation on a one-seat event
        var forged = confirmed with
        {
            Change = confirmed.Change with
            {
                After = confirmed.Enrollment with { Id = Guid.NewGuid(), UserId = Guid.NewGuid() },
                Event = confirmed.Event with { Id = Guid.NewGuid(), Sequence = confirmed.Event.Sequence + 1 },
            },
        };

        var result = await database.Store.CommitAsync(evt.Id, state.Version, Write(confirmed, forged));

        Assert.IsType<CommitResult.Conflict>(result);
        Assert.Empty(await database.Queries.ListAsync(evt.Id));
        Assert.Empty(await database.Queries.ListTransitionsAsync(evt.Id));
    }

    [Fact]
    public async Task The_database_backstop_refuses_what_a_fooled_check_lets_through()
    {
        var evt = await database.CreateEventAsync(capacity: null, hasWaitlist: false);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        var admit = Admit(state);
        Assert.IsType<CommitResult.Committed>(await database.Store.CommitAsync(evt.Id, state.Version, Write(admit)));

        // Replaying the decision under a new id claims the current version and passes the rule (unlimited seats),
        // so only the unique index stands between the user and a second enrollment.
        var current = (await database.Store.LoadAsync(evt.Id))!;
        var replay = admit with
        {
            Change = admit.Change with
            {
                After = admit.Enrollment with { Id = Guid.NewGuid() },
                Event = admit.Event with { Id = Guid.NewGuid(), Sequence = current.LastEventSequence + 1 },
            },
        };
        var result = await database.Store.CommitAsync(evt.Id, current.Version, Write(replay));

        var conflict = Assert.IsType<CommitResult.Conflict>(result);
        Assert.Contains("enrollments_one_live_per_user", conflict.Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
    }

    [Fact]
    public async Task Scopes_select_confirmed_waitlisted_and_active_enrollments()
    {
        var evt = await database.CreateEventAsync(capacity: 3, hasWaitlist: true);
        var state = (await database.Store.LoadAsync(evt.Id))!;
        var admits = Enumerable.Range(0, 5).Select(_ => Admit(state)).ToList();
        await database.Store.CommitAsync(evt.Id, state.Version, Write(admits));

        Assert.Equal(3, (await database.Queries.ListAsync(evt.Id, EnrollmentScope.Confirmed)).Count);
        Assert.Equal(3, (await database.Queries.ListAsync(evt.Id, EnrollmentScope.Active)).Count);
        var waitlisted = await database.Queries.ListAsync(evt.Id, EnrollmentScope.Waitlisted);
        Assert.Equal([1, 2], waitlisted.Select(enrollment => enrollment.WaitlistPosition!.Value));
        Assert.Equal(5, (await database.Queries.ListAsync(evt.Id)).Count);
    }
}
