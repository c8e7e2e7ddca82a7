using System.Diagnostics;
using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Chaos;

/// <summary>
/// Every database connection the cluster holds is killed with <c>pg_terminate_backend</c>, from a separate admin
/// connection, again and again during a burst. Only the cluster's connections (tagged with an application name) are
/// killed, so the shared server and the other tests' pools are untouched.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ConnectionKillTests(PostgresFixture database, ITestOutputHelper output)
{
    private const int PerEvent = 300;
    private const int Capacity = 80;

    [Fact]
    public async Task Connections_killed_repeatedly_mid_burst_lose_nothing_answered()
    {
        var applicationName = $"chaos-kill-{Guid.NewGuid():N}"[..30];
        var tagged = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = applicationName }.ConnectionString;
        await using var cluster = await EnrollmentTestCluster.StartAsync(
            tagged, silos: 2, responseTimeout: TimeSpan.FromSeconds(15),
            settings: new Dictionary<string, string?> { ["Outbox:RedeliverAfter"] = "00:00:02" });
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            events.Add((await database.CreateEventAsync(Capacity, hasWaitlist: i != 1, "Connection kill")).Id);
        }

        var burst = EnrollmentBurst.Start(cluster.Client, events, PerEvent, spread: TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        var killed = new List<int>();
        while (clock.Elapsed < TimeSpan.FromSeconds(3.5))
        {
            await Task.Delay(200);
            killed.Add(await TerminateAsync(applicationName));
        }

        var lastKill = clock.Elapsed;
        var probe = cluster.Client.GetGrain<IEventCapacityGrain>(events[0]);
        var probeUser = Guid.NewGuid();
        EnrollmentResult? probeAnswer = null;
        var recovery = await ChaosChecks.TimeUntilServingAsync(
            async () => (probeAnswer = await probe.Enroll(probeUser, Guid.NewGuid())) is not null, TimeSpan.FromSeconds(30), "an enrollment after the last kill");

        var first = await burst.FirstAnswersAsync();
        var answers = await burst.FinalAnswersAsync(cluster.Client, TimeSpan.FromSeconds(30));
        output.WriteLine(
            $"{killed.Count} rounds of pg_terminate_backend over {lastKill.TotalSeconds:0.0} s killed {killed.Sum()} connections " +
            $"({string.Join(",", killed)}); {first.Count(a => a.Answer is null)} of {burst.Count} calls failed and were retried; " +
            $"an enrollment succeeded {recovery.TotalMilliseconds:0} ms after the last kill");
        Assert.True(killed.Sum() > 0, "connections must have been killed");

        await EnrollmentBurst.AssertConvergedAsync(database.DataSource, database.Queries, events, [.. answers, (events[0], probeAnswer!)], Capacity);
    }

    /// <returns>How many of the tagged connections were terminated.</returns>
    private async Task<int> TerminateAsync(string applicationName)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }
}
