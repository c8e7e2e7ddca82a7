using System.Net;
using System.Net.Http.Json;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Web;

/// <summary>Two web frontends on one database share the data-protection key ring, so a token from one works on the other.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SharedKeyRingTests(PostgresFixture database)
{
    [Fact]
    public async Task A_bearer_token_issued_by_one_frontend_is_accepted_by_another()
    {
        var (issuer, _) = await database.SharedWebApp.SignedInClientAsync();
        await using var other = new WebAppFactory(database.ConnectionString);
        using var client = other.CreateClient();
        client.DefaultRequestHeaders.Authorization = issuer.DefaultRequestHeaders.Authorization;

        var response = await client.GetAsync("/api/me/enrollments");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await response.Content.ReadFromJsonAsync<object[]>());

        // Both frontends run on this machine, where the framework's default (a key folder in the user's profile) would
        // be shared too; the token names the key that protected it, and that key must be the database's.
        await using var key = database.DataSource.CreateCommand("SELECT count(*) FROM data_protection_keys WHERE friendly_name = @name");
        key.Parameters.AddWithValue("name", $"key-{ProtectingKeyId(issuer.DefaultRequestHeaders.Authorization!.Parameter!)}");
        Assert.Equal(1L, await key.ExecuteScalarAsync());
    }

    // A protected payload starts with a 4-byte magic header, then the id of the key that protected it.
    private static Guid ProtectingKeyId(string token) =>
        new(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(token).AsSpan(4, 16));
}
