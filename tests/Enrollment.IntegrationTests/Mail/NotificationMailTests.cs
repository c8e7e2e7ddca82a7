using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.Tests.Web;

namespace OrleansEnrollment.Tests.Mail;

/// <summary>
/// Notifications by e-mail, received by a real SMTP server: each kind a person needs (a seat with its calendar
/// invitation, a place in line, a seat held with its deadline, an offer that ran out, a cancellation by an organizer),
/// none for what they did themself, none once they turn e-mail off, and one mail for a message the bus delivers twice.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class NotificationMailTests(PostgresFixture database) : ApiTestBase(database)
{
    // An app of its own, with offer expiry on (the shared app leaves it off: see WebAppFactory).
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Offers:ExpiryPollInterval"] = "00:00:00.2" };

    [Fact]
    public async Task A_seat_a_place_in_line_and_a_promotion_are_mailed_and_a_seat_carries_its_invitation()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var created = await admin.PostAsJsonAsync("/api/admin/events", new
        {
            title = "Mail night", startsAt = new DateTimeOffset(2031, 12, 12, 17, 0, 0, TimeSpan.Zero), capacity = 1, hasWaitlist = true,
            timeZone = "Europe/Paris", location = "Main hall", description = "Bring a laptop.",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await JsonAsync(created)).GetProperty("id").GetString()!;
        var (holder, holderEmail) = await PersonAsync();
        var (waiter, waiterEmail) = await PersonAsync();

        Assert.Equal(HttpStatusCode.Created, (await holder.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
        var confirmed = await App.Mail.WaitForMailAsync(holderEmail, "You are confirmed: Mail night");
        var invitation = AssertInvitation(confirmed, eventId, "Mail night");
        Assert.Equal("Main hall", invitation.Location);
        Assert.Equal(new DateTime(2031, 12, 12, 17, 0, 0, DateTimeKind.Utc), invitation.Start!.AsUtc);
        Assert.Contains("Bring a laptop.", invitation.Description);
        // the event's own clock, named, and where it is
        Assert.Contains("Fri 12 Dec 2031, 18:00 (Europe/Paris) at Main hall", confirmed.TextBody);
        Assert.Contains($"{WebAppFactory.PublicBaseUrl}/app/events/{eventId}", confirmed.TextBody);

        Assert.Equal(HttpStatusCode.Created, (await waiter.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
        var waitlisted = await App.Mail.WaitForMailAsync(waiterEmail, "You are on the waitlist: Mail night");
        Assert.Contains("at position 1", waitlisted.TextBody);
        Assert.Empty(waitlisted.Attachments);

        Assert.Equal(HttpStatusCode.OK, (await holder.DeleteAsync($"/api/events/{eventId}/enrollments/me")).StatusCode);
        var promoted = await App.Mail.WaitForMailAsync(waiterEmail, "A seat opened: you are confirmed for Mail night");
        AssertInvitation(promoted, eventId, "Mail night");

        // The holder cancelled themself: the notification is stored, and in the same transaction no mail was written.
        await NotifiedAsync(holderEmail, "cancelled");
        Assert.Equal(0, await QueuedMailsAsync(holderEmail, "%cancelled%"));
    }

    [Fact]
    public async Task An_organizer_cancelling_a_seat_and_an_offer_running_out_are_mailed_with_the_deadline()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true, title: "Offer mail night");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(
            $"/api/admin/events/{eventId}/policy", new { capacity = 1, hasWaitlist = true, promotion = "offer", claimWindow = "PT2S" })).StatusCode);
        var (holder, holderEmail) = await PersonAsync();
        var (waiter, waiterEmail) = await PersonAsync();
        var seat = await JsonAsync(await holder.PostAsync($"/api/events/{eventId}/enrollments", null));
        await waiter.PostAsync($"/api/events/{eventId}/enrollments", null);

        var cancel = await admin.PostAsJsonAsync(
            $"/api/admin/events/{eventId}/enrollments/{seat.GetProperty("id").GetString()}/cancel", new { reason = "double booking" });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        var cancelled = await App.Mail.WaitForMailAsync(holderEmail, "Your enrollment was cancelled: Offer mail night");
        Assert.Contains("An organizer cancelled your enrollment", cancelled.TextBody);
        var offered = await App.Mail.WaitForMailAsync(waiterEmail, "A seat is held for you: Offer mail night");
        Assert.Matches(@"held for you until \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(UTC\)", offered.TextBody);

        await App.Mail.WaitForMailAsync(waiterEmail, "The seat held for you has gone: Offer mail night", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_person_who_turns_email_off_gets_no_more_mails_but_keeps_the_notifications()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 5, hasWaitlist: false, title: "Quiet night");
        var (person, email) = await PersonAsync();
        Assert.True((await person.GetFromJsonAsync<JsonElement>("/api/me/preferences")).GetProperty("emailNotifications").GetBoolean());

        var off = await person.PutAsJsonAsync("/api/me/preferences", new { emailNotifications = false });
        Assert.False((await JsonAsync(off)).GetProperty("emailNotifications").GetBoolean());
        await person.PostAsync($"/api/events/{eventId}/enrollments", null);

        await NotifiedAsync(email, "confirmed");
        Assert.Equal(0, await QueuedMailsAsync(email, "You are confirmed%"));
        Assert.False((await person.GetFromJsonAsync<JsonElement>("/api/me/preferences")).GetProperty("emailNotifications").GetBoolean());
    }

    [Fact]
    public async Task Preferences_need_a_signed_in_caller_and_a_yes_or_no()
    {
        using var anonymous = App.CreateClient();
        await AssertProblemAsync(await anonymous.GetAsync("/api/me/preferences"), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await anonymous.PutAsJsonAsync("/api/me/preferences", new { emailNotifications = false }), HttpStatusCode.Unauthorized);

        var (person, _) = await PersonAsync();
        var problem = await AssertProblemAsync(await person.PutAsJsonAsync("/api/me/preferences", new { }), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("emailNotifications", out _));
        await AssertProblemAsync(await person.PutAsync("/api/me/preferences", RawJson("{\"emailNotifications\": \"maybe\"}")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_message_the_bus_delivers_twice_sends_one_mail()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = Guid.Parse(await CreateEventAsync(admin, capacity: 5, hasWaitlist: false, title: "Twice told"));
        var (_, email) = await PersonAsync();
        var userId = await UserIdAsync(email);
        var twice = new EnrollmentConfirmed
        {
            Id = Guid.CreateVersion7(), EventId = eventId, EnrollmentId = Guid.NewGuid(), UserId = userId, Sequence = 1, OccurredAt = DateTimeOffset.UtcNow,
        };

        var bus = App.Services.GetRequiredService<IBus>();
        await bus.Publish(twice, context => context.MessageId = twice.Id);
        await bus.Publish(twice, context => context.MessageId = twice.Id);

        await App.Mail.WaitForMailAsync(email, "You are confirmed: Twice told");
        await Task.Delay(TimeSpan.FromSeconds(1)); // time enough for a second mail to leave, were there one
        Assert.Single(App.Mail.To(email), mail => mail.Subject == "You are confirmed: Twice told");
        Assert.Equal(1, await QueuedMailsAsync(email, "You are confirmed%"));
    }

    private async Task<(HttpClient Client, string Email)> PersonAsync()
    {
        var email = $"mail-{Guid.NewGuid():N}@test.local";
        var (client, _) = await App.SignedInClientAsync(email);
        return (client, email);
    }

    private static Ical.Net.CalendarComponents.CalendarEvent AssertInvitation(MimeMessage mail, string eventId, string title)
    {
        var attachment = Assert.Single(mail.Attachments.OfType<TextPart>());
        Assert.Equal("invite.ics", attachment.FileName);
        Assert.Equal("text/calendar", attachment.ContentType.MimeType);
        var calendar = Ical.Net.Calendar.Load(attachment.Text)!;
        var entry = Assert.Single(calendar.Events);
        Assert.Equal(title, entry.Summary);
        Assert.StartsWith(Guid.Parse(eventId).ToString("N"), entry.Uid);
        return entry;
    }

    private async Task<Guid> UserIdAsync(string email)
    {
        await using var command = Database.DataSource.CreateCommand("SELECT id FROM users WHERE email = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email });
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    private async Task NotifiedAsync(string email, string kind) =>
        await Eventually.HoldsAsync(async () =>
        {
            await using var command = Database.DataSource.CreateCommand(
                "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = $1 AND n.kind = $2");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }, TimeSpan.FromSeconds(20), $"a {kind} notification for {email}");

    private async Task<long> QueuedMailsAsync(string email, string subjectPattern)
    {
        await using var command = Database.DataSource.CreateCommand("SELECT count(*) FROM mail_outbox WHERE recipient = $1 AND subject LIKE $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = email });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = subjectPattern });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
