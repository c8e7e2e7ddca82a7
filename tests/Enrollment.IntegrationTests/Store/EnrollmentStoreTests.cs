using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Store;

/// <summary>The store driven directly, as two deciders with their own (possibly stale) state would drive it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EnrollmentStoreTests(PostgresFixture database)
{
    private static DecisionWrite Write(params IEnumerable<EnrollmentDecision.Admit> admits) => StoreDecider.Write(admits);

    [Fact]
    public async Task Loads_an_unknown_event_as_null()
    {
        Assert.Null(await database.Store.LoadAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Commits_a_group_of_decisions_with_their_audit_rows_and_reloads_them()
    {
        var evt = await database.CreateEventAsync(capacity: 30, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var admits = Enumerable.Range(0, 50).Select(_ => decider.Admit()).ToList();

        var result = await decider.CommitAsync(Write(admits));

        var committed = Assert.IsType<CommitResult.Committed>(result);
        var reloaded = (await database.Store.LoadAsync(evt.Id))!;
        Assert.Equal(reloaded.ToPolicyRow(), committed.Row);
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
            var first = await StoreDecider.LoadAsync(database.Store, evt.Id);
            var second = await StoreDecider.LoadAsync(database.Store, evt.Id);

            var results = await Task.WhenAll(first.CommitAsync(Write(first.Admit())), second.CommitAsync(Write(second.Admit())));

            Assert.Single(results.OfType<CommitResult.Committed>());
            Assert.Equal(RefusalReasons.StaleState, Assert.Single(results.OfType<CommitResult.Refused>()).Reason);
            Assert.Single(await database.Queries.ListAsync(evt.Id));
            await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
        }
    }

    [Fact]
    public async Task A_stale_decider_writes_nothing()
    {
        var evt = await database.CreateEventAsync(capacity: 2, hasWaitlist: true);
        var fresh = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var stale = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var sameUser = Guid.NewGuid();
        Assert.IsType<CommitResult.Committed>(await fresh.CommitAsync(Write(fresh.Admit(sameUser), fresh.Admit())));

        // The stale decider still sees two free seats and no enrollment for this user.
        var result = await stale.CommitAsync(Write(stale.Admit(sameUser)));

        Assert.Equal(RefusalReasons.StaleState, Assert.IsType<CommitResult.Refused>(result).Reason);
        Assert.Equal(2, (await database.Queries.ListAsync(evt.Id)).Count);
        Assert.Equal(2, (await database.Queries.ListTransitionsAsync(evt.Id)).Count);
        await DatabaseInvariants.AssertHoldAsync(database.DataSource, evt.Id);
    }

    [Fact]
    public async Task A_decision_the_rule_does_not_allow_is_refused_with_its_whole_group()
    {
        var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var confirmed = decider.Admit();
        // a forged decision: a second confirmation on a one-seat event
        var forged = confirmed with
        {
            Change = confirmed.Change with
            {
                After = confirmed.Enrollment with { Id = Guid.NewGuid(), UserId = Guid.NewGuid() },
                Event = confirmed.Event with { Id = Guid.NewGuid(), Sequence = confirmed.Event.Sequence + 1 },
            },
        };

        var result = await decider.CommitAsync(Write(confirmed, forged));

        Assert.Equal(RefusalReasons.RuleReplay, Assert.IsType<CommitResult.Refused>(result).Reason);
        Assert.Empty(await database.Queries.ListAsync(evt.Id));
        Assert.Empty(await database.Queries.ListTransitionsAsync(evt.Id));
    }

    [Fact]
    public async Task The_database_backstop_refuses_what_a_fooled_check_lets_through()
    {
        var evt = await database.CreateEventAsync(capacity: null, hasWaitlist: false);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var admit = decider.Admit();
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(Write(admit)));

        // Replaying the decision under a new id claims the current row and passes the rule (unlimited seats),
        // so only the unique index stands between the user and a second enrollment.
        var replay = admit with
        {
            Change = admit.Change with
            {
                After = admit.Enrollment with { Id = Guid.NewGuid() },
                Event = admit.Event with { Id = Guid.NewGuid(), Sequence = decider.DecidedOn.LastEventSequence + 1 },
            },
        };
        var result = await decider.CommitAsync(Write(replay));

        Assert.Equal("enrollments_one_live_per_user", Assert.IsType<CommitResult.Refused>(result).Reason);
        Assert.Single(await database.Queries.ListAsync(evt.Id));
    }

    [Fact]
    public async Task Scopes_select_confirmed_waitlisted_and_active_enrollments()
    {
        var evt = await database.CreateEventAsync(capacity: 3, hasWaitlist: true);
        var decider = await StoreDecider.LoadAsync(database.Store, evt.Id);
        var admits = Enumerable.Range(0, 5).Select(_ => decider.Admit()).ToList();
        Assert.IsType<CommitResult.Committed>(await decider.CommitAsync(Write(admits)));

        Assert.Equal(3, (await database.Queries.ListAsync(evt.Id, EnrollmentScope.Confirmed)).Count);
        Assert.Equal(3, (await database.Queries.ListAsync(evt.Id, EnrollmentScope.Active)).Count);
        var waitlisted = await database.Queries.ListAsync(evt.Id, EnrollmentScope.Waitlisted);
        Assert.Equal([1, 2], waitlisted.Select(enrollment => enrollment.WaitlistPosition!.Value));
        Assert.Equal(5, (await database.Queries.ListAsync(evt.Id)).Count);
    }
}
