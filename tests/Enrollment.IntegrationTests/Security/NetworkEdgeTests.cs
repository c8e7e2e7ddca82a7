using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// Findings 4 and 7, through a real Kestrel server behind a configured proxy (this test, at 127.0.0.1): sign-in was
/// limited per remote address only, so behind a proxy every user shared one limit and rotating addresses guessed
/// without limit; forwarded headers were not handled. Now the limit is per client network (IPv6 per /64) as the
/// trusted proxy reports it, forwarded headers from anyone else are ignored, and guessing one account slows down
/// from whatever address without locking its owner out.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class NetworkEdgeTests(PostgresFixture database) : IAsyncLifetime
{
    private WebAppFactory behindProxy = null!;
    private WebAppFactory noProxy = null!;
    private HttpClient proxy = null!;
    private HttpClient direct = null!;

    public Task InitializeAsync()
    {
        var throttle = new Dictionary<string, string?>
        {
            ["Enrollment:SignIn:AttemptsPerMinutePerNetwork"] = "3",
            ["Enrollment:SignIn:FreeFailuresPerAccount"] = "2",
            ["Enrollment:SignIn:FirstDelay"] = "00:00:00.400",
            ["Enrollment:SignIn:MaxDelay"] = "00:00:02",
        };
        behindProxy = new WebAppFactory(database.ConnectionString, new Dictionary<string, string?>(throttle)
        {
            ["Network:KnownProxies:0"] = "127.0.0.1",
            ["Network:KnownProxies:1"] = "::1",
        });
        noProxy = new WebAppFactory(database.ConnectionString, throttle);
        proxy = new HttpClient { BaseAddress = behindProxy.UseRealServer() };
        direct = new HttpClient { BaseAddress = noProxy.UseRealServer() };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        proxy.Dispose();
        direct.Dispose();
        await behindProxy.DisposeAsync();
        await noProxy.DisposeAsync();
    }

    [Fact]
    public async Task Behind_the_proxy_one_network_spending_its_attempts_does_not_lock_out_another()
    {
        var email = await AccountAsync(behindProxy, proxy);
        var attacker = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            attacker.Add((await SignInAsync(proxy, "203.0.113.5", $"guess-{Guid.NewGuid():N}@test.local", "wrong password")).StatusCode);
        }

        var owner = await SignInAsync(proxy, "198.51.100.7", email, WebAppFactory.Password);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], attacker);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task IPv6_addresses_count_per_64_so_stepping_through_ones_own_prefix_gains_nothing()
    {
        var statuses = new List<HttpStatusCode>();
        for (var host = 1; host <= 4; host++)
        {
            statuses.Add((await SignInAsync(proxy, $"2001:db8:aa:bb::{host:x}", "nobody@test.local", "guess")).StatusCode);
        }

        var otherPrefix = await SignInAsync(proxy, "2001:db8:aa:cc::1", "nobody@test.local", "guess");

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, otherPrefix.StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_unknown_proxy_are_ignored()
    {
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            // a client inventing a new address for every guess: without a configured proxy the header counts for nothing
            statuses.Add((await SignInAsync(direct, $"192.0.2.{attempt + 1}", "nobody@test.local", "guess")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Guessing_one_account_from_many_networks_slows_down_but_its_owner_still_signs_in()
    {
        var email = await AccountAsync(behindProxy, proxy);
        var durations = new List<TimeSpan>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var clock = Stopwatch.StartNew();
            var answer = await SignInAsync(proxy, $"198.18.{attempt}.9", email, $"guess number {attempt}");
            durations.Add(clock.Elapsed);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        var ownerClock = Stopwatch.StartNew();
        var owner = await SignInAsync(proxy, "198.51.100.8", email, WebAppFactory.Password);

        // two failures are free; then every attempt on the account waits first, longer each time (0.4 s, 0.8 s, 1.6 s)
        Assert.True(durations[2] >= TimeSpan.FromMilliseconds(400), $"the third guess took {durations[2].TotalMilliseconds:F0} ms");
        Assert.True(durations[3] >= TimeSpan.FromMilliseconds(800), $"the fourth guess took {durations[3].TotalMilliseconds:F0} ms");
        Assert.True(durations[4] >= TimeSpan.FromMilliseconds(1600), $"the fifth guess took {durations[4].TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.True(ownerClock.Elapsed < TimeSpan.FromSeconds(10));
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string forwardedFor, string email, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = JsonContent.Create(new { email, password }) };
        if (forwardedFor.Length > 0)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await client.SendAsync(request);
    }

    private static async Task<string> AccountAsync(WebAppFactory app, HttpClient client)
    {
        var email = $"edge-{Guid.NewGuid():N}@test.local";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register")
        {
            Content = JsonContent.Create(new { email, password = WebAppFactory.Password, displayName = "Edge" }),
        };
        request.Headers.Add("X-Forwarded-For", $"100.64.{Random.Shared.Next(255)}.{Random.Shared.Next(255)}");
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(request)).StatusCode);
        await app.Mail.WaitForMailAsync(email);
        return email;
    }
}

/// <summary>
/// Finding 7 (low): no HTTPS redirection, no HSTS, no always-Secure cookie. Outside Development (the default of
/// <c>Site:RequireHttps</c>) plain HTTP is redirected, HTTPS answers carry HSTS, and the session cookie is Secure-only.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class HttpsByDefaultTests(PostgresFixture database) : IAsyncLifetime
{
    private WebAppFactory app = null!;

    public Task InitializeAsync()
    {
        app = new WebAppFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Site:RequireHttps"] = "true",
            ["https_port"] = "443",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Plain_http_is_redirected_to_https_which_answers_with_hsts_and_secure_cookies()
    {
        using var plain = app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("http://enroll.example.com") });
        using var secure = app.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://enroll.example.com") });
        await AccountFlows.RegisterAsync(secure, app.Mail, "https-user@test.local", WebAppFactory.Password, "Secure User");

        var redirected = await plain.GetAsync("/account/signin");
        var page = await secure.GetAsync("/account/signin");
        var signedIn = await PageSession.PostFormAsync(secure, "/account/signin",
            new Dictionary<string, string> { ["Email"] = "https-user@test.local", ["Password"] = WebAppFactory.Password });

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https://enroll.example.com/account/signin", redirected.Headers.Location?.ToString());
        Assert.Contains("max-age=31536000", page.Headers.GetValues("Strict-Transport-Security").Single());
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(value => value.StartsWith("enrollment.session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
