using System.Net;
using System.Text;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.WebFrontend.Api;

namespace OrleansEnrollment.Tests.Web;

/// <summary>The CSV export of an event's enrollments, downloaded through the API and read back with CsvHelper.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EnrollmentCsvExportTests(PostgresFixture database) : ApiTestBase(database)
{
    [Fact]
    public async Task Every_enrollment_is_a_row_with_its_person_status_and_times()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 2, hasWaitlist: true, title: "Zoë's CSV party: 2031 edition!");
        var people = new List<(string Name, string Email, string EnrollmentId)>();
        for (var i = 0; i < 4; i++)
        {
            var email = $"csv-{i}-{Guid.NewGuid():N}@test.local";
            var name = $"Person {i} Ünïcode, \"quoted\"";
            var (client, _) = await App.SignedInClientAsync(email, name);
            var enrollment = await JsonAsync(await client.PostAsync($"/api/events/{eventId}/enrollments", null));
            people.Add((name, email, enrollment.GetProperty("id").GetString()!));
        }

        var checkedIn = await admin.PostAsync($"/api/admin/events/{eventId}/enrollments/{people[0].EnrollmentId}/check-in", null);
        Assert.Equal(HttpStatusCode.OK, checkedIn.StatusCode);

        var response = await admin.GetAsync($"/api/admin/events/{eventId}/enrollments.csv");
        var csv = await CsvFile.ReadAsync(await response.Content.ReadAsStreamAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("zoë-s-csv-party-2031-edition-enrollments.csv", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(["id", "name", "email", "status", "waitlist_position", "enrolled_at", "checked_in_at"], csv.Header);
        Assert.Equal(people.Select(person => person.EnrollmentId), csv.Column("id"));
        Assert.Equal(people.Select(person => person.Name), csv.Column("name"));
        Assert.Equal(people.Select(person => person.Email), csv.Column("email"));
        Assert.Equal(["checked_in", "confirmed", "waitlisted", "waitlisted"], csv.Column("status"));
        Assert.Equal(["", "", "1", "2"], csv.Column("waitlist_position"));
        var stored = await Database.Queries.ListAsync(Guid.Parse(eventId));
        foreach (var row in csv.Rows)
        {
            var enrolledAt = DateTimeOffset.Parse(row["enrolled_at"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(stored.Single(e => e.Id.ToString() == row["id"]).CreatedAt, enrolledAt, TimeSpan.FromSeconds(1));
            Assert.EndsWith("Z", row["enrolled_at"], StringComparison.Ordinal);
        }

        var checkInTime = DateTimeOffset.Parse(csv.Rows[0]["checked_in_at"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(checkInTime, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.All(csv.Rows.Skip(1), row => Assert.Equal("", row["checked_in_at"]));
    }

    [Fact]
    public async Task The_status_filter_applies_as_for_the_listing_and_a_bad_one_is_a_400()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 1, hasWaitlist: true);
        for (var i = 0; i < 3; i++)
        {
            await EnrollAsync(eventId);
        }

        var waitlisted = await CsvFile.ReadAsync(await admin.GetStreamAsync($"/api/admin/events/{eventId}/enrollments.csv?status=waitlisted"));
        var cancelled = await CsvFile.ReadAsync(await admin.GetStreamAsync($"/api/admin/events/{eventId}/enrollments.csv?status=cancelled"));
        var all = await CsvFile.ReadAsync(await admin.GetStreamAsync($"/api/admin/events/{eventId}/enrollments.csv?status="));
        var named = await admin.GetAsync($"/api/admin/events/{eventId}/enrollments.csv?status=waitlisted");

        Assert.Equal(["waitlisted", "waitlisted"], waitlisted.Column("status"));
        Assert.Equal(["1", "2"], waitlisted.Column("waitlist_position"));
        Assert.Empty(cancelled.Rows);
        Assert.Equal(EnrollmentCsv.Columns, cancelled.Header);
        Assert.Equal(3, all.Rows.Count);
        Assert.EndsWith("-enrollments-waitlisted.csv", named.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        await AssertProblemAsync(await admin.GetAsync($"/api/admin/events/{eventId}/enrollments.csv?status=pending"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await admin.GetAsync($"/api/admin/events/{Guid.NewGuid()}/enrollments.csv"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.GetAsync("/api/admin/events/nope/enrollments.csv"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task More_enrollments_than_a_roster_page_all_come_out()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: null, hasWaitlist: false);
        var people = 120; // more than the roster's largest page (100)
        await using (var connection = await Database.DataSource.OpenConnectionAsync())
        {
            // Enrolled straight into the table (the triggers count them): a hundred sign-ins would cost the test a minute.
            await using var insert = new Npgsql.NpgsqlCommand(
                """
                INSERT INTO enrollments (id, event_id, user_id, status, created_at, updated_at)
                SELECT gen_random_uuid(), $1, gen_random_uuid(), 'confirmed', now() + n * interval '1 ms', now() FROM generate_series(1, $2) n
                """, connection);
            insert.Parameters.Add(new Npgsql.NpgsqlParameter<Guid> { TypedValue = Guid.Parse(eventId) });
            insert.Parameters.Add(new Npgsql.NpgsqlParameter<int> { TypedValue = people });
            await insert.ExecuteNonQueryAsync();
        }

        var csv = await CsvFile.ReadAsync(await admin.GetStreamAsync($"/api/admin/events/{eventId}/enrollments.csv"));

        Assert.Equal(people, csv.Rows.Count);
        Assert.All(csv.Rows, row => Assert.Equal("(unknown user)", row["name"])); // no account behind these rows
    }

    [Fact]
    public async Task A_name_that_starts_like_a_formula_is_written_as_text()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var eventId = await CreateEventAsync(admin, capacity: 10, hasWaitlist: false);
        // (no address in a name: the confirmation mail quotes the name, and the test reads the first link in the mail)
        string[] names = ["=HYPERLINK(\"evil\",\"click\")", "+1+2", "-2+3", "@SUM(A1:A9)", "Plain Name", "Name with = inside"];
        foreach (var name in names)
        {
            var (client, _) = await App.SignedInClientAsync(displayName: name);
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/events/{eventId}/enrollments", null)).StatusCode);
        }

        var csv = await CsvFile.ReadAsync(await admin.GetStreamAsync($"/api/admin/events/{eventId}/enrollments.csv"));

        Assert.Equal(
            ["'=HYPERLINK(\"evil\",\"click\")", "'+1+2", "'-2+3", "'@SUM(A1:A9)", "Plain Name", "Name with = inside"],
            csv.Column("name"));
    }

    [Fact]
    public async Task Cells_starting_with_a_tab_or_a_carriage_return_get_the_apostrophe_too()
    {
        // Display names are trimmed at registration, so these reach the writer only from other data; the writer guards anyway.
        var rows = new[] { "\tTabbed", "\rReturned", "ok" }.Select(name => new ExportedEnrollment(
            Guid.NewGuid(), name, "\t@x.example", EnrollmentStatus.Confirmed, null, DateTimeOffset.UnixEpoch, null)).ToAsyncEnumerable();
        using var file = new MemoryStream();

        await EnrollmentCsv.WriteAsync(file, rows, CancellationToken.None);
        file.Position = 0;
        var bom = Encoding.UTF8.GetPreamble();
        Assert.Equal(bom, file.ToArray()[..bom.Length]);
        var csv = await CsvFile.ReadAsync(file);

        Assert.Equal(["'\tTabbed", "'\rReturned", "ok"], csv.Column("name"));
        Assert.All(csv.Column("email"), email => Assert.Equal("'\t@x.example", email));
        Assert.All(csv.Column("enrolled_at"), at => Assert.Equal("1970-01-01T00:00:00Z", at));
    }
}
