using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>An event's description, location, end and time zone through the admin API, and what every member reads back.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventDetailsApiTests(PostgresFixture database) : ApiTestBase(database)
{
    private const string Description = "Bring a laptop.\nDoors open at 17:30.\n\n<b>Not bold</b> & not HTML.";

    [Fact]
    public async Task An_event_created_with_details_shows_them_to_members_in_the_list_and_on_its_own()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var (member, _) = await App.SignedInClientAsync();

        var created = await admin.PostAsJsonAsync("/api/admin/events", new
        {
            title = "Winter meetup",
            startsAt = "2031-12-12T17:00:00Z",
            endsAt = "2031-12-12T20:30:00Z",
            capacity = 30,
            hasWaitlist = true,
            description = Description.Replace("\n", "\r\n", StringComparison.Ordinal),
            location = "  Salle Gaveau, 45 rue La Boétie, Paris ",
            timeZone = "Europe/Paris",
        });
        var body = await JsonAsync(created);
        var id = body.GetProperty("id").GetString()!;
        var one = await member.GetFromJsonAsync<JsonElement>($"/api/events/{id}");
        var listed = (await member.GetFromJsonAsync<JsonElement[]>("/api/events"))!.Single(item => item.GetProperty("id").GetString() == id);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        foreach (var shown in new[] { body, one, listed })
        {
            Assert.Equal(Description, shown.GetProperty("description").GetString()); // form line breaks stored as \n
            Assert.Equal("Salle Gaveau, 45 rue La Boétie, Paris", shown.GetProperty("location").GetString());
            Assert.Equal("Europe/Paris", shown.GetProperty("timeZone").GetString());
            Assert.Equal(new DateTimeOffset(2031, 12, 12, 20, 30, 0, TimeSpan.Zero), shown.GetProperty("endsAt").GetDateTimeOffset());
            Assert.Equal(new DateTimeOffset(2031, 12, 12, 17, 0, 0, TimeSpan.Zero), shown.GetProperty("startsAt").GetDateTimeOffset());
        }
    }

    [Fact]
    public async Task Details_left_out_get_their_defaults()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        var body = await JsonAsync(await admin.PostAsJsonAsync(
            "/api/admin/events", new { title = "Plain event", startsAt = "2031-01-01T10:00:00Z", capacity = 5, hasWaitlist = false }));

        Assert.Equal("UTC", body.GetProperty("timeZone").GetString());
        Assert.Equal("", body.GetProperty("description").GetString());
        Assert.Equal("", body.GetProperty("location").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("endsAt").ValueKind);
    }

    public static TheoryData<string, string> BadDetails => new()
    {
        { """ "timeZone": "Mars/Olympus_Mons" """, "timeZone" },
        { """ "timeZone": "../../etc/passwd" """, "timeZone" },
        { """ "timeZone": "Romance Standard Time" """, "timeZone" },
        { """ "timeZone": "" """, "timeZone" },
        { """ "endsAt": "2031-03-01T09:00:00Z" """, "endsAt" },
        { """ "endsAt": "2031-03-01T10:00:00Z" """, "endsAt" },
        { $""" "description": "{new string('d', 4001)}" """, "description" },
        { """ "description": "NUL \u0000 inside" """, "description" },
        { $""" "location": "{new string('l', 201)}" """, "location" },
        { """ "location": "two\nlines" """, "location" },
    };

    [Theory]
    [MemberData(nameof(BadDetails))]
    public async Task Bad_details_on_create_are_400_problems_naming_the_field_and_create_nothing(string field, string name)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var before = (await Database.Catalog.ListAsync()).Count;

        var response = await admin.PostAsync("/api/admin/events", RawJson(
            $$"""{"title": "Bad details", "startsAt": "2031-03-01T10:00:00Z", "capacity": 5, "hasWaitlist": false, {{field}} }"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(name, out _), problem.ToString());
        Assert.Equal(before, (await Database.Catalog.ListAsync()).Count);
    }

    [Fact]
    public async Task A_4000_character_description_is_fine()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var description = string.Concat(Enumerable.Repeat("line\r\n", 800)); // 4,800 as sent, 3,999 once line breaks are \n and trimmed

        var response = await admin.PostAsJsonAsync(
            "/api/admin/events", new { title = "Long read", startsAt = "2031-03-01T10:00:00Z", capacity = 5, hasWaitlist = false, description });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3999, (await JsonAsync(response)).GetProperty("description").GetString()!.Length);
    }

    [Fact]
    public async Task Editing_changes_the_fields_given_and_keeps_the_others()
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var id = await CreateEventAsync(admin, capacity: 4, hasWaitlist: true, title: "Before the edit");
        var original = (await Database.Catalog.FindAsync(Guid.Parse(id)))!;

        var edited = await admin.PutAsJsonAsync($"/api/admin/events/{id}", new
        {
            title = "After the edit",
            endsAt = original.StartsAt.AddHours(2),
            location = "Room 101",
            description = "Line one\nLine two",
            timeZone = "America/New_York",
        });
        var body = await JsonAsync(edited);
        var partly = await JsonAsync(await admin.PutAsJsonAsync($"/api/admin/events/{id}", new { location = "Room 102" }));
        var cleared = await JsonAsync(await admin.PutAsync($"/api/admin/events/{id}", RawJson("""{"endsAt": null, "description": null, "timeZone": null}""")));

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(("After the edit", "Room 101", "Line one\nLine two", "America/New_York"),
            (body.GetProperty("title").GetString(), body.GetProperty("location").GetString(), body.GetProperty("description").GetString(), body.GetProperty("timeZone").GetString()));
        Assert.Equal(original.StartsAt, body.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal(("After the edit", "Room 102", "Line one\nLine two", "America/New_York"),
            (partly.GetProperty("title").GetString(), partly.GetProperty("location").GetString(), partly.GetProperty("description").GetString(), partly.GetProperty("timeZone").GetString()));
        Assert.Equal((JsonValueKind.Null, "", "UTC", "Room 102"),
            (cleared.GetProperty("endsAt").ValueKind, cleared.GetProperty("description").GetString(), cleared.GetProperty("timeZone").GetString(), cleared.GetProperty("location").GetString()));
        var stored = (await Database.Catalog.FindAsync(Guid.Parse(id)))!;
        Assert.Equal(("After the edit", "Room 102", original.Policy), (stored.Title, stored.Location, stored.Policy));
    }

    [Theory]
    [InlineData("""{"timeZone": "Nowhere/Special"}""", "timeZone")]
    [InlineData("""{"endsAt": "2000-01-01T00:00:00Z"}""", "endsAt")]
    [InlineData("""{"startsAt": "2100-01-01T00:00:00Z", "endsAt": "2099-12-31T23:00:00Z"}""", "endsAt")]
    [InlineData("""{"title": null}""", "title")]
    [InlineData("""{"title": "   "}""", "title")]
    [InlineData("""{"startsAt": null}""", "startsAt")]
    [InlineData("""{"location": "fine", "description": "DESCRIPTION_TOO_LONG"}""", "description")]
    public async Task Bad_edits_are_400_problems_naming_the_field_and_change_nothing(string json, string field)
    {
        var (admin, _) = await App.SignedInAdminAsync();
        var id = await CreateEventAsync(admin, capacity: 4, hasWaitlist: true, title: "Unchanged by a bad edit");
        var before = await Database.Catalog.FindAsync(Guid.Parse(id));

        var response = await admin.PutAsync($"/api/admin/events/{id}", RawJson(json.Replace("DESCRIPTION_TOO_LONG", new string('x', 4001), StringComparison.Ordinal)));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await Database.Catalog.FindAsync(Guid.Parse(id)));
    }

    [Fact]
    public async Task Editing_an_unknown_event_is_a_404_and_a_malformed_id_a_400()
    {
        var (admin, _) = await App.SignedInAdminAsync();

        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/admin/events/{Guid.NewGuid()}", new { title = "Ghost" }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/admin/events/not-a-guid", new { title = "Ghost" }), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await admin.PutAsync($"/api/admin/events/{Guid.NewGuid()}", RawJson("""{"endsAt": "soon"}""")), HttpStatusCode.BadRequest);
    }
}
