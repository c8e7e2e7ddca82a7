using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Topology;

/// <summary>
/// The docker-compose topology without Docker: two silo processes and the web frontend as a cluster client, joined
/// through the membership table in the test PostgreSQL (a fresh ClusterId, so no other cluster is in the way). The silo
/// hosting every event's grain is killed; enrolling through the HTTP API must work again within a bound, and the time it
/// took is reported. The silos share a real RabbitMQ broker (as in docker-compose.yml): every domain event, including
/// those the killed silo committed, must still be consumed exactly once.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ClusterTopologyTests(PostgresFixture database, ITestOutputHelper output) : IDisposable
{
    private const string AdminEmail = "topology-admin@test.local";
    private const string Password = "correct-horse-battery";
    private const int Events = 6;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan EnrollTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(90);

    private static readonly string RabbitMqHost = Environment.GetEnvironmentVariable("ENROLLMENT_TEST_RABBITMQ_HOST") ?? "127.0.0.1";

    private readonly string clusterId = $"topology-{Guid.NewGuid():N}"[..21];
    private readonly List<AppProcess> apps = [];

    [Fact]
    public async Task Enrolling_works_again_within_the_bound_after_one_of_two_silos_is_killed()
    {
        try
        {
            await AssertBrokerAnswersAsync();

            // silo-1 alone first, so every event's grain is activated there; silo-2 joins afterwards, and killing
            // silo-1 then forces every grain to move: recovery is measured for all of them, not for a random few.
            var clock = Stopwatch.StartNew();
            var silo1 = StartSilo("silo-1");
            await silo1.WaitForOutputAsync("Silo started", StartTimeout);
            var silo1Up = clock.Elapsed;

            var webPort = FreePort();
            var web = Start("web", BuiltApps.WebFrontend, new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{webPort}",
                ["Orleans__Mode"] = "Client",
                ["Orleans__GatewayListRefreshPeriod"] = "00:00:01",
                // A request already sent through the killed silo's gateway waits this long for its answer (Orleans'
                // default is 30 s); the cluster itself recovers faster, and that is what this test measures.
                ["Orleans__Messaging__ResponseTimeout"] = "00:00:10",
                ["Enrollment__Admins__0"] = AdminEmail,
                ["Enrollment__SignIn__AttemptsPerMinutePerNetwork"] = "100000",
                ["Site__PublicBaseUrl"] = $"http://127.0.0.1:{webPort}",
                ["Site__RequireHttps"] = "false",
                ["Email__Smtp__Host"] = "127.0.0.1",
                ["Email__Smtp__Port"] = TestMailServer.Shared.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Email__Smtp__Security"] = "None",
            });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(40) };
            await WaitUntilServingAsync(http, web);
            var webUp = clock.Elapsed;

            using var admin = await SignedInClientAsync(http, AdminEmail);
            var events = new List<string>();
            for (var i = 0; i < Events; i++)
            {
                var created = await admin.PostAsJsonAsync("/api/admin/events",
                    new { title = $"Topology event {i}", startsAt = DateTimeOffset.UtcNow.AddDays(3), capacity = (int?)null, hasWaitlist = false });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                events.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
            }

            var before = await Task.WhenAll(events.Select(eventId => EnrollNewUserAsync(http, eventId)));
            var firstEnrollments = clock.Elapsed;

            var joinClock = Stopwatch.StartNew();
            var silo2 = StartSilo("silo-2");
            await silo2.WaitForOutputAsync("Silo started", StartTimeout);
            await Eventually.HoldsAsync(async () => await ActiveSilosAsync() == 2, StartTimeout, "both silos active in the membership table");
            var silo2Joined = joinClock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3)); // three gateway-list refreshes: the web client now knows silo-2

            silo1.Kill();
            var sinceKill = Stopwatch.StartNew();
            var after = await Task.WhenAll(events.Select(eventId => EnrollNewUserAsync(http, eventId)));
            var recovery = sinceKill.Elapsed;

            output.WriteLine($"cluster {clusterId}: silo-1 up after {silo1Up.TotalSeconds:0.0} s, web client serving after {webUp.TotalSeconds:0.0} s, " +
                $"{Events} first enrollments (grains on silo-1) done after {firstEnrollments.TotalSeconds:0.0} s (slowest {before.Max(e => e.Elapsed).TotalSeconds:0.0} s); " +
                $"silo-2 started and active in {silo2Joined.TotalSeconds:0.0} s");
            output.WriteLine($"silo-1 killed: every event enrolled again within {recovery.TotalSeconds:0.0} s; per event " +
                string.Join(", ", after.Select(e => e.FailedAttempts == 0
                    ? $"{e.Elapsed.TotalSeconds:0.0} s (no failure)"
                    : $"{e.Elapsed.TotalSeconds:0.0} s ({e.FailedAttempts} failed attempts: {e.Failures})")));
            Assert.True(recovery < RecoveryBound, $"recovery took {recovery.TotalSeconds:0.0} s, over the {RecoveryBound.TotalSeconds:0} s bound");
            Assert.False(silo2.HasExited, "the surviving silo must still run");

            // Each event holds exactly its two enrollments: retries during the outage wrote nothing twice.
            foreach (var eventId in events)
            {
                var details = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}");
                Assert.Equal(2, details.GetProperty("activeCount").GetInt32());
            }

            // Both enrollments of each event reached the broker and were consumed once, whichever silo committed them
            // (the survivor's outbox relay re-emits what the killed one committed but had not dispatched).
            var drained = Stopwatch.StartNew();
            foreach (var eventId in events)
            {
                await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, Guid.Parse(eventId), 2, TimeSpan.FromSeconds(90));
            }

            output.WriteLine($"every domain event consumed once through RabbitMQ {drained.Elapsed.TotalSeconds:0.0} s after the last enrollment");
        }
        catch
        {
            foreach (var app in apps)
            {
                output.WriteLine(app.Output());
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var app in apps)
        {
            app.Dispose();
        }

        // The cluster's membership rows go with it (its silo rows cascade).
        using var cleanup = database.DataSource.CreateCommand("DELETE FROM orleans_membership_versions WHERE cluster_id = @id");
        cleanup.Parameters.AddWithValue("id", clusterId);
        cleanup.ExecuteNonQuery();
    }

    private async Task<long> ActiveSilosAsync()
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM orleans_silos WHERE cluster_id = @id AND status = 3");
        command.Parameters.AddWithValue("id", clusterId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private AppProcess StartSilo(string name) => Start(name, BuiltApps.Silo, new Dictionary<string, string>
    {
        ["Orleans__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans__AdvertisedIPAddress"] = "127.0.0.1",
    });

    /// <summary>Starts an app with the settings every process of this cluster shares, as docker-compose.yml does.</summary>
    private AppProcess Start(string name, string assembly, Dictionary<string, string> settings)
    {
        settings["ConnectionStrings__Enrollment"] = database.ConnectionString;
        settings["Orleans__ClusteringProvider"] = "AdoNet";
        settings["Orleans__ClusterId"] = clusterId;
        settings["Messaging__Transport"] = "RabbitMq";
        settings["Messaging__RabbitMq__Host"] = RabbitMqHost;
        // the killed silo's undispatched events are re-emitted by the survivor this long after they occurred
        settings["Outbox__RedeliverAfter"] = "00:00:05";
        settings["DOTNET_ENVIRONMENT"] = "Testing";
        settings["ASPNETCORE_ENVIRONMENT"] = "Testing";
        // outside Development: mutual TLS between the processes, and an encrypted key ring
        foreach (var (key, value) in TestCertificates.Environment)
        {
            settings[key] = value;
        }

        var app = AppProcess.Start(name, assembly, settings);
        apps.Add(app);
        return app;
    }

    // Ready means the database answers and the client reaches an active silo (see Health/ in the web frontend).
    private static async Task WaitUntilServingAsync(HttpClient http, AppProcess web)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(deadline.Elapsed < StartTimeout && !web.HasExited, "the web frontend did not become ready");
            await Task.Delay(250);
        }
    }

    private static async Task AssertBrokerAnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(RabbitMqHost, 5672).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception exception)
        {
            Assert.Fail($"No RabbitMQ broker at {RabbitMqHost}:5672 ({exception.Message}). Start one with scripts/start-rabbitmq.sh.");
        }
    }

    private static async Task<HttpClient> SignedInClientAsync(HttpClient http, string email)
    {
        await AccountFlows.RegisterAsync(http, TestMailServer.Shared, email, Password, "Topology User");
        var token = await http.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var client = new HttpClient { BaseAddress = http.BaseAddress, Timeout = http.Timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>
    /// A new user enrolls, retrying whatever fails (a 5xx, a dropped connection) until the enrollment is confirmed:
    /// what a client does while the cluster notices a dead silo. Enrolling is idempotent, so a retry after a lost
    /// answer returns the first enrollment (200) instead of writing a second.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, int FailedAttempts, string Failures)> EnrollNewUserAsync(HttpClient http, string eventId)
    {
        using var user = await SignedInClientAsync(http, $"topology-{Guid.NewGuid():N}@test.local");
        var clock = Stopwatch.StartNew();
        var failed = 0;
        var failures = new SortedDictionary<string, int>(StringComparer.Ordinal);
        while (true)
        {
            try
            {
                using var response = await user.PostAsync($"/api/events/{eventId}/enrollments", content: null);
                if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                {
                    var status = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
                    Assert.Equal("confirmed", status);
                    return (clock.Elapsed, failed, string.Join(" ", failures.Select(failure => $"{failure.Value}×{failure.Key}")));
                }

                Assert.True((int)response.StatusCode >= 500, $"enrolling answered {(int)response.StatusCode}, which no retry fixes");
                Count(failures, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Count(failures, ex.GetType().Name);
            }

            failed++;
            if (clock.Elapsed > EnrollTimeout + RecoveryBound)
            {
                Assert.Fail($"event {eventId}: no enrollment after {clock.Elapsed.TotalSeconds:0} s and {failed} attempts");
            }

            await Task.Delay(250);
        }
    }

    private static void Count(SortedDictionary<string, int> failures, string kind) =>
        failures[kind] = failures.GetValueOrDefault(kind) + 1;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
