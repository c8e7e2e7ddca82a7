using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>Offers with a claim window and enrollment windows, through the HTTP API of a real app (co-hosted silo, real PostgreSQL).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class OffersApiTests(PostgresFixture database) : ApiTestBase(database)
{
    // An app of its own, with offer expiry on (the shared app leaves it off: see WebAppFactory).
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Offers:ExpiryPollInterval"] = "00:00:00.5" };

    private static async Task<JsonElement> MineAsync(HttpClient user, string eventId) =>
        await user.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/enrollments/me");

    /// <summary>One seat (taken) in offer mode, and two people waiting.</summary>
    private async Task<(string EventId, HttpClient Admin, HttpClient Holder, HttpClient First, HttpClient Second)> FullOfferEventAsync(string claimWindow)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true, title: "Offer night");
        var policy = await admin.PutAsJsonAsync($"/api/admin/events/{eventId}/policy", new { capacity = 1, hasWaitlist = true, promotion = "offer", claimWindow });
        Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        var (holder, _) = await EnrollAsync(eventId);
        var (first, _) = await EnrollAsync(eventId);
        var (second, _) = await EnrollAsync(eventId);
        return (eventId, admin, holder, first, second);
    }

    [Fact]
    public async Task The_policy_takes_the_promotion_mode_and_claim_window_and_a_field_left_out_is_unchanged()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 3, hasWaitlist: true);
        var path = $"/api/admin/events/{eventId}/policy";

        var offer = await JsonAsync(await admin.PutAsJsonAsync(path, new { capacity = 3, hasWaitlist = true, promotion = "offer", claimWindow = "PT12H" }));
        var kept = await JsonAsync(await admin.PutAsJsonAsync(path, new { capacity = 4, hasWaitlist = true }));
        var shown = await admin.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}");

        Assert.Equal(("offer", "PT12H"), (offer.GetProperty("promotion").GetString(), offer.GetProperty("claimWindow").GetString()));
        Assert.Equal(("offer", "PT12H", 4), (kept.GetProperty("promotion").GetString(), kept.GetProperty("claimWindow").GetString(), kept.GetProperty("capacity").GetInt32()));
        Assert.Equal(("offer", "PT12H"), (shown.GetProperty("promotion").GetString(), shown.GetProperty("claimWindow").GetString()));

        var automatic = await JsonAsync(await admin.PutAsJsonAsync(path, new { capacity = 4, hasWaitlist = true, promotion = "automatic" }));
        Assert.Equal("automatic", automatic.GetProperty("promotion").GetString());
        Assert.Equal(JsonValueKind.Null, automatic.GetProperty("claimWindow").ValueKind);

        foreach (var (body, field) in new (object Body, string Field)[]
                 {
                     (new { capacity = 4, hasWaitlist = true, promotion = "offer", claimWindow = "PT0S" }, "claimWindow"),
                     (new { capacity = 4, hasWaitlist = true, promotion = "offer", claimWindow = "P31D" }, "claimWindow"),
                     (new { capacity = 4, hasWaitlist = true, promotion = "offer", claimWindow = "soon" }, "claimWindow"),
                     (new { capacity = 4, hasWaitlist = true, promotion = "offer" }, "claimWindow"),
                     (new { capacity = 4, hasWaitlist = true, promotion = "sometimes" }, "promotion"),
                 })
        {
            var problem = await AssertProblemAsync(await admin.PutAsJsonAsync(path, body), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)} names {field}");
        }

        Assert.Equal("automatic", (await admin.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}")).GetProperty("promotion").GetString());
    }

    [Fact]
    public async Task A_freed_seat_is_offered_to_the_head_who_accepts_it_while_the_next_person_keeps_waiting()
    {
        var (eventId, admin, holder, first, second) = await FullOfferEventAsync("PT1H");

        Assert.Equal(HttpStatusCode.OK, (await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me")).StatusCode);

        var offered = await MineAsync(first, eventId);
        Assert.Equal("offered", offered.GetProperty("status").GetString());
        var deadline = offered.GetProperty("offerExpiresAt").GetDateTimeOffset();
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.Equal(1, (await MineAsync(second, eventId)).GetProperty("waitlistPosition").GetInt32());
        // the held seat is taken: a newcomer waits
        var (_, newcomer) = await EnrollAsync(eventId);
        Assert.Equal("waitlisted", newcomer.GetProperty("status").GetString());

        await AssertProblemAsync(await second.PostAsync($"/api/events/{eventId}/enrollments/me/accept", null), HttpStatusCode.Conflict);
        var accepted = await first.PostAsync($"/api/events/{eventId}/enrollments/me/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("confirmed", (await JsonAsync(accepted)).GetProperty("status").GetString());
        await AssertProblemAsync(await first.PostAsync($"/api/events/{eventId}/enrollments/me/accept", null), HttpStatusCode.Conflict);

        var trail = (await admin.GetFromJsonAsync<JsonElement[]>(
            $"/api/admin/events/{eventId}/enrollments/{offered.GetProperty("id").GetString()}/transitions"))!;
        Assert.Equal(["waitlisted", "offered", "confirmed"], trail.Select(t => t.GetProperty("toStatus").GetString()));
        Assert.Equal(["a seat opened: offered", "offer accepted"], trail.Skip(1).Select(t => t.GetProperty("reason").GetString()));
        await Eventually.HoldsAsync(async () =>
            (await first.GetFromJsonAsync<JsonElement[]>("/api/me/notifications"))!.Select(n => n.GetProperty("message").GetString()).ToHashSet()
                .IsSupersetOf([
                    $"A seat in Offer night is held for you until {deadline.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: accept it at /app/events/{eventId}",
                    "You accepted the seat: you are confirmed for Offer night",
                ]),
            TimeSpan.FromSeconds(30), "the offer and its acceptance are notified");
        await DatabaseInvariants.AssertHoldAsync(Database.DataSource, Guid.Parse(eventId));
    }

    [Fact]
    public async Task Declining_gives_the_seat_to_the_next_person_and_the_roster_shows_the_offer_with_its_deadline()
    {
        var (eventId, admin, holder, first, second) = await FullOfferEventAsync("PT1H");
        await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me");

        var declined = await first.PostAsync($"/api/events/{eventId}/enrollments/me/decline", null);

        Assert.Equal("cancelled", (await JsonAsync(declined)).GetProperty("status").GetString());
        Assert.Equal("offered", (await MineAsync(second, eventId)).GetProperty("status").GetString());
        await AssertProblemAsync(await first.PostAsync($"/api/events/{eventId}/enrollments/me/decline", null), HttpStatusCode.Conflict);
        await Eventually.HoldsAsync(async () =>
        {
            var roster = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/events/{eventId}/enrollments?status=offered");
            return roster.GetProperty("items").EnumerateArray().SingleOrDefault() is { ValueKind: JsonValueKind.Object } item &&
                   item.GetProperty("offerExpiresAt").ValueKind == JsonValueKind.String;
        }, TimeSpan.FromSeconds(10), "the roster filters offers and shows their deadline");
        await DatabaseInvariants.AssertHoldAsync(Database.DataSource, Guid.Parse(eventId));
    }

    [Fact]
    public async Task An_unanswered_offer_expires_on_time_with_nobody_calling_and_the_seat_goes_to_the_next_person()
    {
        var (eventId, admin, holder, first, second) = await FullOfferEventAsync("PT2S");
        await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me");
        var offer = await MineAsync(first, eventId);
        var deadline = offer.GetProperty("offerExpiresAt").GetDateTimeOffset();

        // Nobody calls the event's grain until the expiry is visible in the database.
        var seen = Stopwatch.StartNew();
        string? status;
        do
        {
            await Task.Delay(50);
            status = await Database.StatusOfAsync(offer.GetProperty("id").GetGuid());
        }
        while (status == "offered" && seen.Elapsed < TimeSpan.FromSeconds(30));
        var lateness = DateTimeOffset.UtcNow - deadline;

        Assert.Equal("cancelled", status);
        Assert.True(lateness < TimeSpan.FromSeconds(2), $"the offer ended {lateness.TotalMilliseconds:F0} ms after its deadline");
        Assert.Equal("offered", (await MineAsync(second, eventId)).GetProperty("status").GetString());
        await AssertProblemAsync(await first.PostAsync($"/api/events/{eventId}/enrollments/me/accept", null), HttpStatusCode.Conflict);
        var trail = (await admin.GetFromJsonAsync<JsonElement[]>(
            $"/api/admin/events/{eventId}/enrollments/{offer.GetProperty("id").GetString()}/transitions"))!;
        Assert.Equal(("cancelled", "offer expired"), (trail.Last().GetProperty("toStatus").GetString(), trail.Last().GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, trail.Last().GetProperty("actorId").ValueKind);
        await Eventually.HoldsAsync(async () =>
            (await first.GetFromJsonAsync<JsonElement[]>("/api/me/notifications"))!
                .Any(n => n.GetProperty("message").GetString() == "The seat held for you in Offer night was given to the next person: your offer expired"),
            TimeSpan.FromSeconds(30), "the expiry is notified");
        await DatabaseInvariants.AssertHoldAsync(Database.DataSource, Guid.Parse(eventId));
    }

    [Fact]
    public async Task Switching_back_to_automatic_confirms_the_person_holding_an_offer()
    {
        var (eventId, admin, holder, first, _) = await FullOfferEventAsync("PT1H");
        await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me");

        var switched = await admin.PutAsJsonAsync($"/api/admin/events/{eventId}/policy", new { capacity = 1, hasWaitlist = true, promotion = "automatic" });

        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        Assert.Equal("confirmed", (await MineAsync(first, eventId)).GetProperty("status").GetString());
        await DatabaseInvariants.AssertHoldAsync(Database.DataSource, Guid.Parse(eventId));
    }

    [Fact]
    public async Task Enrolling_outside_the_window_is_refused_with_its_reason_while_cancelling_stays_possible()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true);
        var path = $"/api/admin/events/{eventId}/policy";
        var (enrolled, _) = await EnrollAsync(eventId);
        var (waiting, _) = await EnrollAsync(eventId);
        var (user, _) = await App.SignedInClientAsync();

        await admin.PutAsJsonAsync(path, new { capacity = 1, hasWaitlist = true, opensAt = DateTimeOffset.UtcNow.AddDays(1) });
        await AssertProblemAsync(await user.PostAsync($"/api/events/{eventId}/enrollments", null), (HttpStatusCode)422, "Enrollment has not opened yet");

        await admin.PutAsJsonAsync(path, new { capacity = 1, hasWaitlist = true, opensAt = (DateTimeOffset?)null, waitlistClosesAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await AssertProblemAsync(await user.PostAsync($"/api/events/{eventId}/enrollments", null), (HttpStatusCode)422, "Event is full");

        var closed = await JsonAsync(await admin.PutAsJsonAsync(path, new { capacity = 1, hasWaitlist = true, closesAt = DateTimeOffset.UtcNow.AddMinutes(-1) }));
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("opensAt").ValueKind);
        Assert.Equal(JsonValueKind.String, closed.GetProperty("waitlistClosesAt").ValueKind);
        await AssertProblemAsync(await user.PostAsync($"/api/events/{eventId}/enrollments", null), (HttpStatusCode)422, "Enrollment is closed");
        // the enrolled keep their answers and may leave; the seat still goes to the person waiting
        Assert.Equal(HttpStatusCode.OK, (await enrolled.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await enrolled.DeleteAsync($"/api/events/{eventId}/enrollments/me")).StatusCode);
        Assert.Equal("confirmed", (await MineAsync(waiting, eventId)).GetProperty("status").GetString());

        var backwards = await admin.PutAsJsonAsync(path, new { capacity = 1, hasWaitlist = true, opensAt = DateTimeOffset.UtcNow, closesAt = DateTimeOffset.UtcNow.AddDays(-1) });
        await AssertProblemAsync(backwards, HttpStatusCode.BadRequest);
        await DatabaseInvariants.AssertHoldAsync(Database.DataSource, Guid.Parse(eventId));
    }

}
