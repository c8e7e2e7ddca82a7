using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// The real web frontend (co-hosted silo, real PostgreSQL, in-memory bus), in process, sending its mail to the test
/// run's real SMTP server (<see cref="Mail"/>). Each factory gets free silo ports, so factories can follow each other
/// in one test run. Call <see cref="UseRealServer"/> before first use for a Kestrel server on a loopback port (for a
/// browser); otherwise requests go through the in-memory test server. The environment is "Testing": outside
/// Development, so every safe default is on, except HTTPS (the test servers speak plain HTTP; tests of HTTPS turn
/// <c>Site:RequireHttps</c> back on).
/// </summary>
public sealed class WebAppFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, string environment = "Testing")
    : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string Password = "correct-horse-battery";
    public const string PublicBaseUrl = "http://enroll.test.local";

    /// <summary>The SMTP server this app (and every other on the test database) sends its mail to.</summary>
    public TestMailServer Mail => TestMailServer.Shared;

    /// <summary>Switches to Kestrel on a free loopback port and starts it; returns the base address.</summary>
    public Uri UseRealServer()
    {
        UseKestrel(0);
        StartServer();
        return ClientOptions.BaseAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:Enrollment", connectionString);
        builder.UseSetting("Orleans:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        // an index of its own, so it adds to the addresses a configuration file names instead of replacing its first
        builder.UseSetting("Enrollment:Admins:9", AdminEmail);
        builder.UseSetting("Enrollment:SignIn:AttemptsPerMinutePerNetwork", "100000");
        builder.UseSetting("Site:PublicBaseUrl", PublicBaseUrl);
        builder.UseSetting("Site:RequireHttps", "false");
        // Every test cluster shares the test database, and the shared app lives through the whole run: its silo must not
        // wake other clusters' grains for their offers (a second decider, whose refusals the history test counts). The
        // tests of offer expiry through the web app turn it back on in their settings.
        builder.UseSetting("Offers:ExpiryPollInterval", "01:00:00");
        foreach (var (key, value) in Mail.Settings.Concat(TestCertificates.Settings))
        {
            builder.UseSetting(key, value);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>
    /// Registers an account and confirms its address with the link that arrived by mail (the admin address gets the
    /// admin role), and returns a client holding its bearer token. An address registered before is just signed in.
    /// </summary>
    public async Task<(HttpClient Client, Guid UserId)> SignedInClientAsync(string? email = null, string displayName = "Test User", bool confirm = true)
    {
        email ??= $"user-{Guid.NewGuid():N}@test.local";
        using var anonymous = CreateClient();
        await RegisterAsync(anonymous, email, displayName, confirm);
        var token = await anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });
        token.EnsureSuccessStatusCode();
        var body = await token.Content.ReadFromJsonAsync<TokenBody>();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body!.AccessToken);
        var me = await client.GetFromJsonAsync<MeBody[]>("/api/me/enrollments"); // proves the token works
        Assert.NotNull(me);
        return (client, await UserIdAsync(email));
    }

    public Task<(HttpClient Client, Guid UserId)> SignedInAdminAsync() => SignedInClientAsync(AdminEmail, "Test Admin");

    /// <summary>Registers through the API and, unless told not to, follows the confirmation link mailed to the address.</summary>
    public Task RegisterAsync(HttpClient client, string email, string displayName = "Test User", bool confirm = true) =>
        AccountFlows.RegisterAsync(client, Mail, email, Password, displayName, confirm);

    /// <summary>The token of the link in a mail.</summary>
    public static string TokenIn(MimeKit.MimeMessage mail) => AccountFlows.TokenIn(mail);

    private async Task<Guid> UserIdAsync(string email)
    {
        var accounts = (WebFrontend.Accounts.UserAccounts)Services.GetService(typeof(WebFrontend.Accounts.UserAccounts))!;
        return (await accounts.VerifyAsync(email, Password))!.Id;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record TokenBody(string AccessToken, string TokenType, long ExpiresIn);

    private sealed record MeBody(Guid Id);
}
