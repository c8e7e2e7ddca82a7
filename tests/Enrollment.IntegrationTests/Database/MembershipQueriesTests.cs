using System.Data;
using Npgsql;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Database;

/// <summary>
/// The membership queries of migration 0007, run the way Orleans' ADO.NET clustering provider runs them (its parameter
/// names and DbTypes): a change is made only at the version the caller read, so of two silos racing one wins.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MembershipQueriesTests(PostgresFixture database)
{
    private const int Active = 3;
    private const int Dead = 6;

    private readonly string clusterId = $"membership-{Guid.NewGuid():N}";

    [Fact]
    public async Task Silo_rows_change_only_at_the_version_read()
    {
        Assert.True(await ScalarAsync<bool>("InsertMembershipVersionKey"));
        Assert.False(await ScalarAsync<bool>("InsertMembershipVersionKey"));
        Assert.Equal([(0, null)], await ReadAllAsync());

        Assert.True(await InsertSiloAsync(port: 1, version: 0));
        Assert.False(await InsertSiloAsync(port: 2, version: 0)); // stale: the table is at version 1 now
        Assert.True(await InsertSiloAsync(port: 2, version: 1));
        Assert.Equal([(2, 1), (2, 2)], (await ReadAllAsync()).OrderBy(row => row.Port));

        Assert.False(await UpdateStatusAsync(port: 1, Dead, version: 1));
        Assert.True(await UpdateStatusAsync(port: 1, Dead, version: 2));
        Assert.Equal([2], await GatewayPortsAsync()); // only active silos are gateways

        // A dead silo with an old heartbeat is cleaned up; an active one never is.
        await ScalarAsync<object>("CleanupDefunctSiloEntriesKey", ("IAmAliveTime", DateTime.UtcNow.AddMinutes(1), DbType.DateTime));
        Assert.Equal([(3, 2)], await ReadAllAsync());

        await ScalarAsync<object>("DeleteMembershipTableEntriesKey");
        Assert.Empty(await ReadAllAsync());
    }

    [Fact]
    public async Task Of_two_silos_joining_at_the_same_version_exactly_one_succeeds()
    {
        await ScalarAsync<bool>("InsertMembershipVersionKey");
        var joins = await Task.WhenAll(Enumerable.Range(1, 8).Select(port => InsertSiloAsync(port, version: 0)));
        Assert.Equal(1, joins.Count(joined => joined));
        Assert.Single(await ReadAllAsync());
    }

    private Task<bool> InsertSiloAsync(int port, int version) => ScalarAsync<bool>("InsertMembershipKey",
        ("Address", "127.0.0.1", DbType.AnsiString), ("Port", port, DbType.Int32), ("Generation", 1, DbType.Int32),
        ("SiloName", $"silo-{port}", DbType.String), ("HostName", "test", DbType.String), ("Status", Active, DbType.Int32),
        ("ProxyPort", 30000 + port, DbType.Int32), ("StartTime", DateTime.UtcNow, DbType.DateTime),
        ("IAmAliveTime", DateTime.UtcNow, DbType.DateTime), ("Version", version, DbType.Int32));

    private Task<bool> UpdateStatusAsync(int port, int status, int version) => ScalarAsync<bool>("UpdateMembershipKey",
        ("Address", "127.0.0.1", DbType.AnsiString), ("Port", port, DbType.Int32), ("Generation", 1, DbType.Int32),
        ("Status", status, DbType.Int32), ("SuspectTimes", null, DbType.String),
        ("IAmAliveTime", DateTime.UtcNow, DbType.DateTime), ("Version", version, DbType.Int32));

    /// <summary>(table version, silo port or null) per row, as the provider reads them.</summary>
    private async Task<List<(int Version, int? Port)>> ReadAllAsync()
    {
        await using var command = await CommandAsync("MembershipReadAllKey");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, int?)>();
        while (await reader.ReadAsync())
        {
            var port = reader.GetOrdinal("Port");
            rows.Add((reader.GetInt32(reader.GetOrdinal("Version")), reader.IsDBNull(port) ? null : reader.GetInt32(port)));
        }

        return rows;
    }

    private async Task<List<int>> GatewayPortsAsync()
    {
        await using var command = await CommandAsync("GatewaysQueryKey", ("Status", Active, DbType.Int32));
        await using var reader = await command.ExecuteReaderAsync();
        var ports = new List<int>();
        while (await reader.ReadAsync())
        {
            ports.Add(reader.GetInt32(reader.GetOrdinal("ProxyPort")) - 30000);
        }

        return ports;
    }

    private async Task<T> ScalarAsync<T>(string key, params (string Name, object? Value, DbType Type)[] parameters)
    {
        await using var command = await CommandAsync(key, parameters);
        return (T)(await command.ExecuteScalarAsync() ?? default(T)!);
    }

    // The stored text, with @DeploymentId and the given parameters typed as the provider types them.
    private async Task<NpgsqlCommand> CommandAsync(string key, params (string Name, object? Value, DbType Type)[] parameters)
    {
        await using var lookup = database.DataSource.CreateCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key");
        lookup.Parameters.AddWithValue("key", key);
        var command = database.DataSource.CreateCommand((string)(await lookup.ExecuteScalarAsync())!);
        command.Parameters.Add(new NpgsqlParameter("DeploymentId", DbType.String) { Value = clusterId });
        foreach (var (name, value, type) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        }

        return command;
    }
}
