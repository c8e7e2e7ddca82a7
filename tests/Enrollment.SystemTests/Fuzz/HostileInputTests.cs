using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.WebFrontend.Accounts;
using Xunit.Abstractions;

namespace OrleansEnrollment.Tests.Fuzz;

/// <summary>
/// Ten thousand malformed or hostile requests against the real API (seeded, so a failure can be replayed with
/// <c>ENROLLMENT_FUZZ_SEED</c>): none may be a 5xx, every error must be problem details, nothing may change in the
/// database, and no response may carry another user's data.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class HostileInputTests(PostgresFixture database, ITestOutputHelper output)
{
    private const int Requests = 10_000;

    [Fact]
    public async Task Ten_thousand_hostile_requests_are_refused_without_a_5xx_a_change_or_a_leak()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ENROLLMENT_FUZZ_SEED"), out var given) ? given : 20261129;
        output.WriteLine($"seed {seed} (set ENROLLMENT_FUZZ_SEED to replay)");
        var app = database.SharedWebApp;
        var (targets, ownUsers, victimSecrets) = await ArrangeAsync(app);
        var before = await DatabaseSnapshot.TakeAsync(database.DataSource, ownUsers);

        var generator = new HostileRequests(new HostileValues(new Random(seed)), targets);
        var requests = Enumerable.Range(0, Requests).Select(_ => generator.Next()).ToList(); // generated up front: one seeded order
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await Parallel.ForEachAsync(requests.Select((request, index) => (request, index)), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (item, _) =>
        {
            var (request, index) = item;
            using var message = request.ToMessage();
            var sent = Describe(request) + (request.IdempotencyKey ?? "") + (request.Authorization ?? "");
            try
            {
                using var response = await client.SendAsync(message);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, count) => count + 1);
                var body = await response.Content.ReadAsStringAsync();
                foreach (var problem in Check(request, response, body, victimSecrets, sent))
                {
                    failures.Enqueue($"#{index} {Describe(request)} → {(int)response.StatusCode}: {problem}");
                }
            }
            catch (Exception exception)
            {
                failures.Enqueue($"#{index} {Describe(request)} → threw {exception.GetType().Name}: {exception.Message}");
            }
        });

        output.WriteLine($"{Requests} requests in {clock.Elapsed.TotalSeconds:0.0} s; statuses: " +
                         string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        foreach (var failure in failures.Take(40))
        {
            output.WriteLine(failure);
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers (seed {seed}); the first: {failures.FirstOrDefault()}");
        var after = await DatabaseSnapshot.TakeAsync(database.DataSource, ownUsers);
        Assert.Empty(before.Differences(after));
    }

    private static IEnumerable<string> Check(HostileRequest request, HttpResponseMessage response, string body, string[] victimSecrets, string sent)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            yield return "a server error";
        }

        // Everything sent is invalid, so nothing may be created or changed; a taken address is answered as any.
        if (request.AnsweredAsAnyRegistration ? status != 202 : status is >= 200 and < 300 && request.Method != HttpMethod.Get)
        {
            yield return request.AnsweredAsAnyRegistration ? "a taken address was answered unlike a free one" : "a change was accepted";
        }

        if (status >= 400)
        {
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                yield return $"not problem details but {response.Content.Headers.ContentType?.MediaType ?? "no content type"}";
            }
            else if (!IsProblem(body, status))
            {
                yield return $"a malformed problem: {body[..Math.Min(body.Length, 200)]}";
            }
        }

        // The admin may see other users; anyone else may see a value only if they sent it themselves.
        if (request.Caller != Caller.Admin)
        {
            // an id sent in another GUID format comes back in the standard one: an echo, not a leak
            foreach (var secret in victimSecrets.Where(secret => body.Contains(secret, StringComparison.OrdinalIgnoreCase)
                                                                 && !sent.Contains(secret, StringComparison.OrdinalIgnoreCase)
                                                                 && !sent.Contains(secret.Replace("-", ""), StringComparison.OrdinalIgnoreCase)))
            {
                yield return $"leaks another user's data ({secret})";
            }
        }
    }

    private static bool IsProblem(string body, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("status", out var value) && value.GetInt32() == status && json.RootElement.TryGetProperty("title", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Describe(HostileRequest request) =>
        $"{request.Caller} {request.Method} {Shorten(request.Path)} ({request.What})";

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;

    /// <summary>A victim enrolled in the one real event, an attacker enrolled nowhere, and the tokens the fuzzer uses.</summary>
    private static async Task<(FuzzTargets Targets, Guid[] OwnUsers, string[] VictimSecrets)> ArrangeAsync(WebAppFactory app)
    {
        var (admin, adminId) = await app.SignedInAdminAsync();
        var victimEmail = $"victim-{Guid.NewGuid():N}@test.local";
        var victimName = $"Victim {Guid.NewGuid():N}";
        var (victim, victimId) = await app.SignedInClientAsync(victimEmail, victimName);
        var (attacker, attackerId) = await app.SignedInClientAsync();

        var created = await admin.PostAsJsonAsync("/api/admin/events", new { title = "Fuzz target", startsAt = DateTimeOffset.UtcNow.AddDays(3), capacity = 5, hasWaitlist = true });
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var enrolled = await victim.PostAsync($"/api/events/{eventId}/enrollments", null);
        var enrollmentId = (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        // the victim's notification is written after the commit: wait for it, so the snapshot does not race it
        await Eventually.HoldsAsync(async () => (await victim.GetFromJsonAsync<JsonElement[]>("/api/me/notifications"))!.Length == 1,
            TimeSpan.FromSeconds(20), "the victim's notification");

        var targets = new FuzzTargets(eventId, victimId, enrollmentId, victimEmail, attacker.DefaultRequestHeaders.Authorization!.Parameter!,
            admin.DefaultRequestHeaders.Authorization!.Parameter!, await ExpiredTokenAsync(app, attackerId));
        return (targets, [adminId, victimId, attackerId], [victimEmail, victimName, victimId.ToString(), enrollmentId.ToString()]);
    }

    /// <summary>A token the app itself issued, for a real account, that expired an hour ago.</summary>
    private static async Task<string> ExpiredTokenAsync(WebAppFactory app, Guid userId)
    {
        var account = await app.Services.GetRequiredService<UserAccounts>().FindAsync(userId);
        var options = app.Services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(BearerTokenDefaults.AuthenticationScheme);
        var properties = new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow.AddHours(-2), ExpiresUtc = DateTimeOffset.UtcNow.AddHours(-1) };
        return options.BearerTokenProtector.Protect(new AuthenticationTicket(
            UserAccounts.PrincipalFor(account!, BearerTokenDefaults.AuthenticationScheme, DateTimeOffset.UtcNow.AddHours(-2)), properties, BearerTokenDefaults.AuthenticationScheme));
    }
}
