using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.TestingHost;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Telemetry;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Telemetry;

/// <summary>
/// An enrollment burst on a one-silo cluster, read back through the metrics and traces an operator would see: the
/// decision counter must agree with what callers were told.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class EnrollmentMetricsTests(PostgresFixture database) : IAsyncLifetime
{
    private InProcessTestCluster cluster = null!;
    private MetricRecorder metrics = null!;

    public async Task InitializeAsync()
    {
        cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 1);
        metrics = new MetricRecorder(cluster.Silos.Select(silo => silo.ServiceProvider));
    }

    public async Task DisposeAsync()
    {
        metrics.Dispose();
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_burst_is_counted_by_outcome_with_group_sizes_commit_times_waitlist_and_outbox_lag()
    {
        var withWaitlist = await database.CreateEventAsync(capacity: 10, hasWaitlist: true);
        var withoutWaitlist = await database.CreateEventAsync(capacity: 5, hasWaitlist: false);
        var users = Enumerable.Range(0, 30).Select(_ => Guid.NewGuid()).ToList();

        // 30 people on each event at once; then five of them enroll again where they all hold a place.
        var burst = await Task.WhenAll(new[] { withWaitlist.Id, withoutWaitlist.Id }.SelectMany(eventId =>
            users.Select(user => cluster.Client.GetGrain<IEventCapacityGrain>(eventId).Enroll(user, Guid.NewGuid()))));
        var again = await Task.WhenAll(users.Take(5).Select(user =>
            cluster.Client.GetGrain<IEventCapacityGrain>(withWaitlist.Id).Enroll(user, Guid.NewGuid())));
        var answers = burst.Concat(again).ToList();

        var told = answers.GroupBy(DecisionOutcome.Of).ToDictionary(group => group.Key, group => group.Count());
        var counted = metrics.Of(EnrollmentTelemetry.DecisionsCounter).GroupBy(m => m.Tag("outcome")!).ToDictionary(g => g.Key, g => (int)g.Sum(m => m.Value));
        Assert.Equal(told.OrderBy(pair => pair.Key), counted.OrderBy(pair => pair.Key));
        Assert.Equal(15, counted[DecisionOutcome.Confirmed]);
        Assert.Equal(20, counted[DecisionOutcome.Waitlisted]);
        Assert.Equal(25, counted[DecisionOutcome.Rejected]);
        Assert.Equal(5, counted[DecisionOutcome.AlreadyEnrolled]);

        // Every written decision went through exactly one committed group, timed.
        var groups = metrics.Of(EnrollmentTelemetry.GroupCommitSizeHistogram).Where(m => m.Tag("result") == "committed").ToList();
        Assert.NotEmpty(groups);
        Assert.InRange(groups.Sum(m => m.Value), 35, answers.Count);
        Assert.All(groups, group => Assert.InRange(group.Value, 1, EventCapacityGrain.MaxGroupSize));
        Assert.Equal(
            metrics.Of(EnrollmentTelemetry.GroupCommitSizeHistogram).Count,
            metrics.Of(EnrollmentTelemetry.GroupCommitDurationHistogram).Count);
        Assert.All(metrics.Of(EnrollmentTelemetry.GroupCommitDurationHistogram), duration => Assert.True(duration.Value > 0));

        metrics.Observe();
        Assert.Equal(20, metrics.Of(EnrollmentTelemetry.WaitingGauge).Last().Value);

        // Each of the 35 domain events is published by its bridge after the commit, so the lag arrives a little later.
        await Eventually.HoldsAsync(
            () => Task.FromResult(metrics.Of(EnrollmentTelemetry.OutboxLagHistogram).Count >= 35),
            TimeSpan.FromSeconds(30), "35 domain events published");
        Assert.All(metrics.Of(EnrollmentTelemetry.OutboxLagHistogram), lag => Assert.InRange(lag.Value, 0, 30_000));
    }

    [Fact]
    public async Task The_waitlist_is_counted_from_activation_not_from_the_first_commit()
    {
        var evt = await database.CreateEventAsync(capacity: 10, hasWaitlist: true);
        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));

        await cluster.DeactivateAsync(grain);
        metrics.Observe();
        Assert.Equal(0, metrics.Of(EnrollmentTelemetry.WaitingGauge).Last().Value);

        // a read activates the grain without committing anything
        Assert.Equal(5, (await grain.GetSummary())!.WaitlistCount);
        metrics.Observe();
        Assert.Equal(5, metrics.Of(EnrollmentTelemetry.WaitingGauge).Last().Value);
    }

    [Fact]
    public async Task Enroll_calls_and_group_commits_are_traced()
    {
        var evt = await database.CreateEventAsync(capacity: 3, hasWaitlist: true);
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EnrollmentTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("enrollment.event_id"), evt.Id))
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => grain.Enroll(Guid.NewGuid(), Guid.NewGuid())));

        var enrolls = stopped.Where(activity => activity.OperationName == EnrollmentTelemetry.EnrollActivity).ToList();
        var commits = stopped.Where(activity => activity.OperationName == EnrollmentTelemetry.GroupCommitActivity).ToList();
        Assert.Equal(5, enrolls.Count);
        Assert.Equal(3, enrolls.Count(activity => (string?)activity.GetTagItem("enrollment.outcome") == DecisionOutcome.Confirmed));
        Assert.NotEmpty(commits);
        Assert.Equal(5, commits.Sum(activity => (int)activity.GetTagItem("enrollment.group_size")!));
        Assert.All(commits, commit => Assert.Equal("committed", commit.GetTagItem("enrollment.commit_result")));
        // a group serves many callers, so it is no caller's child
        Assert.All(commits, commit => Assert.Null(commit.Parent));
    }
}
