using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansEnrollment.WebFrontend.Health;

/// <summary>
/// Ready only if a grain call reaches the cluster and it has an active silo. The management grain is a cheap target:
/// it answers from the membership the silo already keeps, and works the same from a co-hosted silo or a client.
/// </summary>
public sealed class OrleansClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Grain calls take no token; the registration's timeout still bounds the wait.
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)")
                : new HealthCheckResult(context.Registration.FailureStatus, "The cluster has no active silo");
        }
        catch (Exception exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The Orleans cluster did not answer", exception);
        }
    }
}
