using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.Tests.Web;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// Finding 1 (high): whoever registered an address named in <c>Enrollment:Admins</c> first became admin, an admin
/// granting the role by address could hand it to whoever registered that address, and throwaway accounts could fill a
/// limited event. Each attack is replayed here; the role and seats now need a proven address.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AdminClaimAttackTests(PostgresFixture database) : ApiTestBase(database)
{
    private const string ListedAdmin = "ops-lead@enrollment.example";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Enrollment:Admins:1"] = ListedAdmin };

    [Fact]
    public async Task Registering_an_address_named_as_admin_before_its_owner_gives_the_registrant_no_admin_rights()
    {
        using var attacker = App.CreateClient();
        await App.RegisterAsync(attacker, ListedAdmin, "Not The Ops Lead", confirm: false); // the link went to the real owner's inbox
        Authorize(attacker, await TokenAsync(attacker, ListedAdmin));

        await AssertProblemAsync(await attacker.GetAsync("/api/admin/admins"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await attacker.PostAsJsonAsync("/api/admin/events",
            new { title = "Attacker's event", startsAt = DateTimeOffset.UtcNow.AddDays(1), capacity = 1, hasWaitlist = false }), HttpStatusCode.Forbidden);
        var me = await JsonAsync(await attacker.GetAsync("/api/me"));
        Assert.False(me.GetProperty("isAdmin").GetBoolean());
        Assert.False(me.GetProperty("emailConfirmed").GetBoolean());
    }

    [Fact]
    public async Task An_admin_granting_the_role_by_address_cannot_hand_it_to_whoever_registered_that_address_first()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var colleague = $"new-colleague-{Guid.NewGuid():N}@enrollment.example";
        using var attacker = App.CreateClient();
        await App.RegisterAsync(attacker, colleague, "Squatter", confirm: false);

        var granted = await admin.PostAsJsonAsync("/api/admin/admins", new { email = colleague });

        await AssertProblemAsync(granted, HttpStatusCode.Conflict, "No confirmed account");
        Authorize(attacker, await TokenAsync(attacker, colleague));
        await AssertProblemAsync(await attacker.GetAsync("/api/admin/admins"), HttpStatusCode.Forbidden);
        var admins = await admin.GetFromJsonAsync<JsonElement[]>("/api/admin/admins");
        Assert.DoesNotContain(admins!, entry => entry.GetProperty("email").GetString() == colleague);
    }

    [Fact]
    public async Task Throwaway_accounts_that_never_confirmed_an_address_cannot_take_the_seats_of_a_limited_event()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 2, hasWaitlist: false);

        for (var i = 0; i < 3; i++)
        {
            var (throwaway, _) = await App.SignedInClientAsync($"throwaway-{Guid.NewGuid():N}@mailinator.example", confirm: false);
            var refused = await throwaway.PostAsync($"/api/events/{eventId}/enrollments", null);
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "Confirm your e-mail address first");
        }

        var (person, _) = await App.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Created, (await person.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
        Assert.Single(await Database.Queries.ListAsync(Guid.Parse(eventId)));
    }

    private static async Task<string> TokenAsync(HttpClient client, string email)
    {
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email, password = WebAppFactory.Password });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode); // an unconfirmed account may sign in; it just holds no role and no seat
        return (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static void Authorize(HttpClient client, string token) => client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
}

/// <summary>With <c>Enrollment:RequireVerifiedEmail=false</c> everything works as before: any signed-in account may enroll.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class UnverifiedEnrollmentAllowedTests(PostgresFixture database) : ApiTestBase(database)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Enrollment:RequireVerifiedEmail"] = "false" };

    [Fact]
    public async Task An_unconfirmed_account_may_enroll_when_the_site_does_not_require_a_confirmed_address()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 2, hasWaitlist: false);
        var (person, _) = await App.SignedInClientAsync(confirm: false);

        Assert.Equal(HttpStatusCode.Created, (await person.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
    }
}
