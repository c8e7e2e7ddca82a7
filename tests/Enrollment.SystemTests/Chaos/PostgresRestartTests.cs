using System.Diagnostics;
using OrleansEnrollment.Catalog;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// PostgreSQL crashes (immediate stop) in the middle of a burst and comes back on the same port. The test runs on a
/// private server, so the suite's shared one is never touched.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    private const int PerEvent = 250;
    private const int Capacity = 60;

    [Fact]
    public async Task PostgreSQL_restarted_mid_burst_loses_nothing_answered_and_the_cluster_serves_again()
    {
        var total = Stopwatch.StartNew();
        await using var database = await PrivatePostgres.StartAsync();
        output.WriteLine($"database up in {total.Elapsed.TotalSeconds:0.0} s");
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            database.ConnectionString, silos: 2, responseTimeout: TimeSpan.FromSeconds(15),
            settings: new Dictionary<string, string?> { ["Outbox:RedeliverAfter"] = "00:00:02" });
        var catalog = new EventCatalog(database.DataSource);
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            events.Add((await catalog.CreateAsync("Restart", DateTimeOffset.UtcNow.AddDays(2), new EnrollmentPolicy(Capacity, HasWaitlist: i != 1))).Id);
        }

        output.WriteLine($"set up in {total.Elapsed.TotalSeconds:0.0} s");
        var burst = EnrollmentBurst.Start(cluster.Client, events, PerEvent, spread: TimeSpan.FromSeconds(3));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var pendingAtStop = burst.Pending;
        var clock = Stopwatch.StartNew();
        await database.StopImmediatelyAsync();
        var stopped = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1)); // calls keep arriving while the database is down
        await database.RestartAsync();
        var restarted = clock.Elapsed;

        var probe = cluster.Client.GetGrain<IEventCapacityGrain>(events[0]);
        var probeUser = Guid.NewGuid();
        EnrollmentResult? probeAnswer = null;
        var recovery = await ChaosChecks.TimeUntilServingAsync(
            async () => (probeAnswer = await probe.Enroll(probeUser, Guid.NewGuid())) is not null, TimeSpan.FromSeconds(30), "an enrollment after the restart");

        var first = await burst.FirstAnswersAsync();
        output.WriteLine($"first answers at {total.Elapsed.TotalSeconds:0.0} s");
        var answers = await burst.FinalAnswersAsync(cluster.Client, TimeSpan.FromSeconds(30));
        output.WriteLine($"final answers at {total.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(
            $"{pendingAtStop} of {burst.Count} calls pending at the stop; {first.Count(a => a.Answer is null)} failed and were retried. " +
            $"Stop took {stopped.TotalSeconds:0.0} s, down {(restarted - stopped).TotalSeconds:0.0} s in all (restart included); " +
            $"the cluster served an enrollment {recovery.TotalMilliseconds:0} ms after the restart finished");
        Assert.True(pendingAtStop > 0, "the stop must land in the middle of the burst");
        Assert.Contains(first, a => a.Answer is null); // the outage was felt

        await EnrollmentBurst.AssertConvergedAsync(
            database.DataSource, database.Queries, events, [.. answers, (events[0], probeAnswer!)], Capacity);
        output.WriteLine($"checked at {total.Elapsed.TotalSeconds:0.0} s");
    }
}
