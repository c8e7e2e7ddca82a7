using Microsoft.Extensions.Configuration;

namespace OrleansEnrollment.Telemetry;

public static class EnrollmentSiloTelemetryExtensions
{
    /// <summary>
    /// The enrollment instruments on a silo, and, when telemetry is exported, Orleans' grain-call spans with trace context
    /// carried across calls, so a request's trace runs from HTTP through the grain to SQL. Without an exporter the
    /// propagation filters are left out: they would only cost time on every call.
    /// </summary>
    public static ISiloBuilder AddEnrollmentTelemetry(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddEnrollmentMetrics();
        return configuration.IsTelemetryExported() ? silo.AddActivityPropagation() : silo;
    }
}
