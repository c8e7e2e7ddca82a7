using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OrleansEnrollment.WebFrontend.Health;

/// <summary>Ready only if PostgreSQL answers a query: every decision is committed there before its caller is answered.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // The registration's timeout cancels this token, so an unreachable server fails the check instead of hanging it.
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answered");
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL did not answer", exception);
        }
    }
}
