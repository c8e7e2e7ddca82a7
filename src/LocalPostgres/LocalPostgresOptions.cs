namespace OrleansEnrollment.Database.LocalServer;

/// <summary>How <see cref="LocalPostgresServer"/> should run its private PostgreSQL cluster.</summary>
public sealed record LocalPostgresOptions
{
    /// <summary>Where the cluster lives; initdb creates it there when the folder is empty or missing.</summary>
    public required string DataDirectory { get; init; }

    public string DatabaseName { get; init; } = "enrollment";

    /// <summary>
    /// False trades crash safety for speed (fsync, synchronous_commit and full_page_writes off): right for
    /// throw-away test clusters, wrong for anything whose data should survive a power cut.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>Null picks a free TCP port on 127.0.0.1.</summary>
    public int? Port { get; init; }
}
