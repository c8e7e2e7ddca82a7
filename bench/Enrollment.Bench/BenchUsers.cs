using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansEnrollment.Bench;

/// <summary>
/// Accounts for the end-to-end scenario, one per request, written straight into <c>users</c>, and a bearer token for
/// each from the real <c>POST /api/auth/token</c>.
/// </summary>
public static class BenchUsers
{
    private const string Password = "bench-user-password";

    /// <summary>Creates <paramref name="count"/> users in one statement and returns their e-mail addresses, in order.</summary>
    public static async Task<string[]> CreateAsync(NpgsqlDataSource dataSource, int count)
    {
        // The web frontend's own hasher format, computed once for all. Verification uses the iteration count stored in
        // the hash, so a low one keeps signing in tens of thousands of users (which is not what is measured) from
        // taking minutes; the server accepts it and merely reports that a rehash would be due.
        var hasher = new PasswordHasher<object>(Options.Create(new PasswordHasherOptions { IterationCount = 1 }));
        var hash = hasher.HashPassword(new object(), Password);

        // Unique per run, so a bench on an existing server (--connection) never collides with an earlier run's users.
        var run = Guid.NewGuid().ToString("N")[..12];
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO users (id, email, display_name, password_hash, email_verified_at)
            SELECT gen_random_uuid(), format('bench-%s-%s@bench.example', $1, n), format('Bench user %s', n), $2, now()
              FROM generate_series(1, $3) AS n
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = run });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = hash });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync();
        return Enumerable.Range(1, count).Select(n => string.Create(CultureInfo.InvariantCulture, $"bench-{run}-{n}@bench.example")).ToArray();
    }

    /// <summary>One bearer token per address, fetched <paramref name="concurrency"/> at a time.</summary>
    public static async Task<string[]> SignInAsync(HttpClient http, IReadOnlyList<string> emails, int concurrency)
    {
        var tokens = new string[emails.Count];
        await Parallel.ForAsync(0, emails.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (index, cancellationToken) =>
        {
            using var response = await http.PostAsJsonAsync("/api/auth/token", new { email = emails[index], password = Password }, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(
                    $"Signing in {emails[index]} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            var answer = await response.Content.ReadFromJsonAsync<TokenAnswer>(cancellationToken);
            tokens[index] = answer?.AccessToken ?? throw new InvalidOperationException("The token answer has no accessToken.");
        });
        return tokens;
    }

    private sealed record TokenAnswer(string? AccessToken);
}
