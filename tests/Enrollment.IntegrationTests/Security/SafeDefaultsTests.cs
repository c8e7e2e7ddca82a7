using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansEnrollment.Hosting;
using OrleansEnrollment.Tests.Infrastructure;
using OrleansEnrollment.WebFrontend.Demo;

namespace OrleansEnrollment.Tests.Security;

/// <summary>
/// Findings 2 (high) and 9 (low): the published deployment ran Development, so a demo admin whose password is in the
/// README was stored with the admin flag (and stayed admin after a switch to Production), the demo passwords were
/// logged, the key ring was stored in clear, and without a connection string any environment started a PostgreSQL that
/// trusts every local connection. Each is replayed here on a database of its own where it needs one.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SafeDefaultsTests(PostgresFixture database)
{
    [Fact]
    public async Task Demo_data_stores_no_admin_flag_and_keeps_production_from_starting()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync(database);
        await using (var development = new WebAppFactory(isolated.ConnectionString, environment: "Development"))
        {
            using var client = development.CreateClient();
            var (demoEmail, demoPassword, _) = DemoData.Accounts[0];
            var token = await client.PostAsJsonAsync("/api/auth/token", new { email = demoEmail, password = demoPassword });
            client.DefaultRequestHeaders.Authorization = new("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());

            // the demo admin is an admin in Development because appsettings.Development.json names it, not by a stored flag
            Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("isAdmin").GetBoolean());
        }

        await using (var check = Npgsql.NpgsqlDataSource.Create(isolated.ConnectionString))
        await using (var flags = check.CreateCommand("SELECT count(*) FILTER (WHERE is_demo), count(*) FILTER (WHERE is_admin) FROM users"))
        await using (var reader = await flags.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal((DemoData.Accounts.Length, 0L), (reader.GetInt64(0), reader.GetInt64(1)));
        }

        // the same database outside Development: the host refuses to start while a demo account exists
        await using var production = new WebAppFactory(isolated.ConnectionString);
        var refused = Assert.ThrowsAny<Exception>(() => production.CreateClient());
        Assert.Contains("demo accounts", Innermost(refused).Message);
    }

    [Fact]
    public async Task Seeding_the_demo_data_logs_no_password()
    {
        await using var isolated = await IsolatedDatabase.CreateAsync(database);
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(isolated.ConnectionString);
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddSingleton(dataSource)
            .AddSingleton<OrleansEnrollment.Catalog.EventCatalog>()
            .AddSingleton<OrleansEnrollment.Mail.MailOutbox>()
            .AddSingleton<OrleansEnrollment.WebFrontend.Accounts.AccountMails>()
            .AddSingleton<OrleansEnrollment.WebFrontend.Accounts.UserAccounts>()
            .AddOptions()
            .BuildServiceProvider();
        var logged = new ConcurrentQueue<string>();

        await DemoData.SeedAsync(services, new Capture(logged).CreateLogger("seed"));

        Assert.Contains(logged, line => line.Contains("demo accounts", StringComparison.Ordinal));
        Assert.DoesNotContain(logged, line => DemoData.Accounts.Any(account => line.Contains(account.Password, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Orleans:Tls:CertificatePath", "Orleans:Tls:CertificatePath is not configured")]
    [InlineData("DataProtection:CertificatePath", "DataProtection:CertificatePath is not configured")]
    [InlineData("Site:PublicBaseUrl", "Site:PublicBaseUrl is not configured")]
    public void Outside_development_the_web_frontend_refuses_to_start_without_what_keeps_it_safe(string setting, string message)
    {
        using var app = new WebAppFactory(database.ConnectionString, new Dictionary<string, string?> { [setting] = "" });

        var refused = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains(message, Innermost(refused).Message);
    }

    [Fact]
    public async Task Outside_development_no_local_trust_auth_postgresql_is_started()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            EnrollmentDatabase.OpenAsync(new ConfigurationBuilder().Build(), "web", NullLogger.Instance, allowLocalServer: false));

        Assert.Contains("does not start a local PostgreSQL", refused.Message);
    }

    [Fact]
    public async Task The_key_ring_is_stored_encrypted()
    {
        await database.SharedWebApp.SignedInClientAsync(); // a token was issued, so the ring has its key

        await using var keys = database.DataSource.CreateCommand("SELECT xml FROM data_protection_keys");
        var stored = new List<string>();
        await using (var reader = await keys.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(stored);
        Assert.All(stored.Where(xml => xml.Contains("<key ", StringComparison.Ordinal)), xml =>
        {
            Assert.Contains("<encryptedSecret", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
    }

    [Fact]
    public void Compose_runs_the_web_frontend_in_production_and_development_only_with_its_own_file()
    {
        var root = RepositoryRoot();
        var compose = File.ReadAllText(Path.Combine(root, "docker-compose.yml"));
        var development = File.ReadAllText(Path.Combine(root, "docker-compose.development.yml"));

        Assert.Contains("ASPNETCORE_ENVIRONMENT: Production", compose);
        Assert.DoesNotContain("Development", compose.Split('\n').Where(line => !line.TrimStart().StartsWith('#')).Aggregate("", (all, line) => all + line));
        Assert.Contains("ASPNETCORE_ENVIRONMENT: Development", development);
        Assert.False(File.Exists(Path.Combine(root, "docker-compose.override.yml")), "an override file would make development the default of `docker compose up`");
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Orleans.Enrollment.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("No repository root above the test binaries.");
    }

    private sealed class Capture(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
