using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.WebFrontend.Telemetry;

public static class WebTelemetryExtensions
{
    /// <summary>The shared pipeline (see <c>AddEnrollmentOpenTelemetry</c>) plus ASP.NET Core's request spans and metrics.</summary>
    public static IServiceCollection AddWebTelemetry(this IServiceCollection services, IConfiguration configuration) =>
        services.AddEnrollmentOpenTelemetry(
            configuration,
            "enrollment-web",
            tracing => tracing.AddAspNetCoreInstrumentation(options =>
                // Probes arrive every few seconds and say nothing about the system's work.
                options.Filter = context => !context.Request.Path.StartsWithSegments("/health")),
            metrics => metrics.AddAspNetCoreInstrumentation());
}
