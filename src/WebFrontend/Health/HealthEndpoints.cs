using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace OrleansEnrollment.WebFrontend.Health;

public static class HealthEndpoints
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs. MassTransit tags its bus check "ready" itself.</summary>
    public const string Ready = "ready";

    // Long enough for a busy database, short enough that a load balancer's probe is not left hanging.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Readiness checks: PostgreSQL, the Orleans cluster, and (registered by AddMassTransit) the bus.</summary>
    public static IServiceCollection AddEnrollmentHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<OrleansClusterHealthCheck>("orleans", tags: [Ready], timeout: CheckTimeout);
        return services;
    }

    /// <summary>
    /// <c>/health</c>: liveness, 200 whenever the process serves requests (runs no check, so a database outage does not
    /// get the process restarted). <c>/health/ready</c>: readiness, 503 unless every check passes. Both anonymous; the
    /// checks' details go to admins only (<see cref="HealthResponse"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapEnrollmentHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(Ready),
            ResponseWriter = HealthResponse.WriteAsync,
        }).AllowAnonymous();
        return app;
    }
}
