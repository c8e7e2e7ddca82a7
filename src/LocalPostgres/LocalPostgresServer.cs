using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace OrleansEnrollment.Database.LocalServer;

/// <summary>
/// A private PostgreSQL server run from the machine's own binaries, so the app and the tests work without a
/// configured database, Docker, or a system-wide cluster. Disposing stops the server only if this instance
/// started it: a server found already running on the data directory belongs to whoever started it.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    private const string SuperUser = "enrollment";

    // initdb and postgres refuse to run as root, so root delegates to the account the Debian package creates.
    private const string ServiceAccount = "postgres";

    // Under /var/tmp (not /tmp) so a developer's cluster survives reboots and tmp cleaners.
    private const string FallbackRoot = "/var/tmp/orleans-enrollment";

    // sun_path holds 107 bytes; the socket "/.s.PGSQL.65535" plus its ".lock" file need about 21 of them.
    private const int MaxSocketDirectoryBytes = 80;

    private static readonly TimeSpan QuickTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(90); // pg_ctl's own -t 60, plus slack
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly Tools tools;
    private readonly string databaseName;
    private readonly ILogger logger;
    private int disposed;

    private LocalPostgresServer(Tools tools, string dataDirectory, int port, bool ownsServer, string databaseName, ILogger logger)
    {
        this.tools = tools;
        this.databaseName = databaseName;
        this.logger = logger;
        DataDirectory = dataDirectory;
        Port = port;
        OwnsServer = ownsServer;
        ConnectionString = BuildConnectionString(port, databaseName);
    }

    public string ConnectionString { get; }

    public int Port { get; }

    /// <summary>The folder actually used; differs from the requested one when the postgres account could not reach it.</summary>
    public string DataDirectory { get; }

    /// <summary>Whether this instance started the server (and so stops it on dispose).</summary>
    internal bool OwnsServer { get; }

    public static async Task<LocalPostgresServer> StartAsync(
        LocalPostgresOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        logger ??= NullLogger.Instance;

        var binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(BinariesNotFoundMessage());
        var tools = new Tools(binDirectory, IsRoot());
        var dataDirectory = await PrepareDataDirectoryAsync(options.DataDirectory, tools, logger, ct);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            logger.LogInformation("Creating a PostgreSQL cluster in {DataDirectory}", dataDirectory);
            // Trust authentication keeps secrets out of connection strings. It is acceptable only because this
            // is a private dev/test cluster listening on loopback: any local user could connect to it.
            string[] initDbArgs = ["-D", dataDirectory, "-A", "trust", "-U", SuperUser, "--encoding=UTF8", "--locale=C"];
            await tools.PgAsync("initdb", options.Durable ? initDbArgs : [.. initDbArgs, "--no-sync"], InitDbTimeout, ct);
        }

        var (port, ownsServer) = await StartOrReuseAsync(options, dataDirectory, tools, logger, ct);
        var server = new LocalPostgresServer(tools, dataDirectory, port, ownsServer, options.DatabaseName, logger);
        try
        {
            await server.WaitUntilAcceptingAsync(ct);
            await server.EnsureDatabaseAsync(ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!OwnsServer || Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await tools.PgAsync(
                "pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], ServerTimeout, CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Disposal runs on shutdown paths where throwing would mask the real outcome; a leftover server is
            // reused by the next start anyway.
            logger.LogWarning(ex, "Could not stop the PostgreSQL server in {DataDirectory}", DataDirectory);
        }
    }

    /// <summary>
    /// ENROLLMENT_PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian/Ubuntu layout), else initdb on PATH.
    /// Null when none holds initdb.
    /// </summary>
    public static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("ENROLLMENT_PG_BIN");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // An explicit setting must not silently fall back to other binaries: that would hide a typo.
            return HasInitDb(configured) ? Path.GetFullPath(configured) : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.EnumerateDirectories(debianRoot)
                .Select(dir => (Bin: Path.Combine(dir, "bin"), Version: ParseVersion(Path.GetFileName(dir))))
                .Where(candidate => HasInitDb(candidate.Bin))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasInitDb);
    }

    /// <summary>
    /// &lt;repository root&gt;/.data/&lt;appName&gt;/pg (git-ignored, so each checkout keeps its own data), or a
    /// folder under the temp path when not running from a checkout.
    /// </summary>
    public static string DefaultDataDirectory(string appName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appName);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Enrollment.sln")))
            {
                return Path.Combine(dir.FullName, ".data", appName, "pg");
            }
        }

        return Path.Combine(Path.GetTempPath(), "orleans-enrollment", appName, "pg");
    }

    private static async Task<(int Port, bool OwnsServer)> StartOrReuseAsync(
        LocalPostgresOptions options, string dataDirectory, Tools tools, ILogger logger, CancellationToken ct)
    {
        if (await FindRunningPortAsync(dataDirectory, tools, ct) is { } runningPort)
        {
            logger.LogInformation(
                "Reusing the PostgreSQL server already running on port {Port} for {DataDirectory}", runningPort, dataDirectory);
            return (runningPort, false);
        }

        var port = options.Port ?? FreeTcpPort();
        // Beside the data directory, not inside it, so the log outlives a wiped or re-initialised cluster.
        var logFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, "postgres.log");
        if (tools.AsServiceAccount)
        {
            // pg_ctl opens the log as the postgres account, which cannot create files in a root-owned folder.
            await using (File.Open(logFile, FileMode.Append))
            {
            }

            await ProcessRunner.RunAsync("chown", [$"{ServiceAccount}:", logFile], QuickTimeout, ct);
        }

        logger.LogInformation("Starting PostgreSQL on 127.0.0.1:{Port} from {DataDirectory}", port, dataDirectory);
        var started = await tools.PgAsync(
            "pg_ctl",
            ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile, "-o", ServerOptions(port, dataDirectory, options.Durable)],
            ServerTimeout, ct, throwOnFailure: false);
        if (started.ExitCode == 0)
        {
            return (port, true);
        }

        // Another process may have started the same cluster between our check and our start; theirs serves us too.
        if (await FindRunningPortAsync(dataDirectory, tools, ct) is { } racedPort)
        {
            return (racedPort, false);
        }

        throw new InvalidOperationException(
            $"PostgreSQL failed to start from {dataDirectory} on port {port}. {started.Describe()}" +
            ProcessResult.Section($"last lines of {logFile}", Tail(logFile, 30)));
    }

    private static async Task<int?> FindRunningPortAsync(string dataDirectory, Tools tools, CancellationToken ct)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        // A postmaster.pid left by a crash is not a running server; pg_ctl tells them apart (and start copes with it).
        var status = await tools.PgAsync("pg_ctl", ["status", "-D", dataDirectory], QuickTimeout, ct, throwOnFailure: false);
        if (status.ExitCode != 0)
        {
            return null;
        }

        try
        {
            // Line 4 of postmaster.pid is the port the server listens on.
            var lines = await File.ReadAllLinesAsync(pidFile, ct);
            return lines.Length >= 4 && int.TryParse(lines[3].Trim(), CultureInfo.InvariantCulture, out var port) ? port : null;
        }
        catch (FileNotFoundException)
        {
            return null; // stopped in the meantime
        }
    }

    private static string ServerOptions(int port, string dataDirectory, bool durable)
    {
        // The socket goes in the data directory when its path fits, so clusters never share a socket folder.
        var socketDirectory = Encoding.UTF8.GetByteCount(dataDirectory) <= MaxSocketDirectoryBytes ? dataDirectory : "/tmp";
        // pg_ctl hands this string to /bin/sh, hence the quoting.
        var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {ShellQuote(socketDirectory)} -c max_connections=200";
        return durable ? options : options + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    }

    private static async Task<string> PrepareDataDirectoryAsync(
        string requestedDirectory, Tools tools, ILogger logger, CancellationToken ct)
    {
        var requested = Path.TrimEndingDirectorySeparator(Path.GetFullPath(requestedDirectory));
        if (!tools.AsServiceAccount)
        {
            Directory.CreateDirectory(requested);
            return requested;
        }

        if (await TryMakeUsableByServiceAccountAsync(requested, tools, ct))
        {
            return requested;
        }

        // E.g. a checkout under /root, which the postgres account cannot enter. The hash keeps one stable
        // fallback per requested path, so restarts find the same cluster again.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested)))[..12];
        var name = Path.GetFileName(requested) is { Length: > 0 } last ? last : "pg";
        var fallback = Path.Combine(FallbackRoot, hash, name);
        logger.LogInformation(
            "The {Account} account cannot reach {Requested}; using {Fallback} for the PostgreSQL cluster instead",
            ServiceAccount, requested, fallback);
        if (await TryMakeUsableByServiceAccountAsync(fallback, tools, ct))
        {
            return fallback;
        }

        throw new InvalidOperationException(
            $"The '{ServiceAccount}' account can write neither {requested} nor {fallback}. " +
            "Choose a data directory it can reach, or run as a non-root user.");
    }

    private static async Task<bool> TryMakeUsableByServiceAccountAsync(string directory, Tools tools, CancellationToken ct)
    {
        // Checked before creating anything, so no root-owned leftovers appear where the server could never live.
        var existing = new DirectoryInfo(directory);
        while (existing is { Exists: false })
        {
            existing = existing.Parent;
        }

        if (existing is null || !await ServiceAccountCanAsync("-x", existing.FullName, tools, ct))
        {
            return false;
        }

        Directory.CreateDirectory(directory);
        await ProcessRunner.RunAsync("chown", ["-R", $"{ServiceAccount}:", directory], QuickTimeout, ct);
        // Still needed after chown: folders we just created may be closed to others by a strict umask.
        return await ServiceAccountCanAsync("-w", directory, tools, ct);
    }

    private static async Task<bool> ServiceAccountCanAsync(string testFlag, string path, Tools tools, CancellationToken ct) =>
        (await tools.RunAsync("test", [testFlag, path], QuickTimeout, ct, throwOnFailure: false)).ExitCode == 0;

    private async Task WaitUntilAcceptingAsync(CancellationToken ct)
    {
        // pg_ctl -w already waited for servers we started; a reused one may still be starting or recovering.
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString());
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(ct);
                return;
            }
            catch (NpgsqlException ex) when (DateTime.UtcNow < deadline)
            {
                logger.LogDebug(ex, "PostgreSQL on port {Port} is not accepting connections yet", Port);
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", databaseName);
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                return;
            }
        }

        try
        {
            // Identifiers cannot be parameters; the name comes from configuration and is quoted, not trusted.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
            logger.LogInformation("Created database {Database}", databaseName);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it between our check and our CREATE (the unique violation is how a truly
            // simultaneous CREATE DATABASE loses).
        }
    }

    // Unpooled so this helper's short-lived admin connections never linger in the application's pools.
    private string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(BuildConnectionString(Port, "postgres")) { Pooling = false, Timeout = 5 }.ConnectionString;

    private static string BuildConnectionString(int port, string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Database = database, Username = SuperUser }.ConnectionString;

    private static int FreeTcpPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string BinariesNotFoundMessage()
    {
        var message = "PostgreSQL server binaries not found. Install them with `sudo apt-get install postgresql` (Debian/Ubuntu), " +
            "or set ConnectionStrings__Enrollment to an existing server, or ENROLLMENT_PG_BIN to the folder holding initdb.";
        var configured = Environment.GetEnvironmentVariable("ENROLLMENT_PG_BIN");
        return string.IsNullOrWhiteSpace(configured) ? message : $"{message} (ENROLLMENT_PG_BIN is '{configured}', which holds no initdb.)";
    }

    private static bool HasInitDb(string directory) =>
        File.Exists(Path.Combine(directory, OperatingSystem.IsWindows() ? "initdb.exe" : "initdb"));

    private static Version ParseVersion(string? folderName) =>
        Version.TryParse(folderName?.Contains('.') == true ? folderName : folderName + ".0", out var version) ? version : new Version(0, 0);

    private static string ShellQuote(string value) => $"'{value.Replace("'", "'\\''")}'";

    private static string Tail(string file, int lines)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(log unavailable: {ex.Message})";
        }
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && GetEffectiveUserId() == 0;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    /// <summary>Runs tools directly, or through runuser as the postgres account when we are root.</summary>
    private sealed record Tools(string BinDirectory, bool AsServiceAccount)
    {
        public Task<ProcessResult> PgAsync(
            string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct, bool throwOnFailure = true) =>
            RunAsync(Path.Combine(BinDirectory, tool), arguments, timeout, ct, throwOnFailure);

        public Task<ProcessResult> RunAsync(
            string file, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct, bool throwOnFailure = true) =>
            AsServiceAccount
                // Working directory "/" because postgres tools fail when they cannot read the inherited one (e.g. /root/...).
                ? ProcessRunner.RunAsync("runuser", ["-u", ServiceAccount, "--", file, .. arguments], timeout, ct, throwOnFailure, "/")
                : ProcessRunner.RunAsync(file, arguments, timeout, ct, throwOnFailure);
    }
}
