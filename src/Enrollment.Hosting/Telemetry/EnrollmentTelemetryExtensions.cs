using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrleansEnrollment.Telemetry;

public static class EnrollmentTelemetryExtensions
{
    // Orleans' own meter, and the activity sources its AddActivityPropagation() fills with grain-call spans. Calls to our
    // grains land in "Runtime" (see BackgroundNoiseSampler for why, and for how the runtime's own calls are left out).
    private const string OrleansMeter = "Microsoft.Orleans";
    private static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    // Both emit natively (no extra instrumentation package): SQL spans under the group commit, publish spans in the bridge.
    private static readonly string[] LibrarySources = ["Npgsql", "MassTransit"];

    /// <summary>The enrollment instruments; every silo gets them through <c>AddEnrollment</c>, whatever its exporter.</summary>
    public static IServiceCollection AddEnrollmentMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EnrollmentMetrics>();
        return services;
    }

    /// <summary>
    /// The OpenTelemetry pipeline chosen by <c>Telemetry:Exporter</c> (<c>None</c>, <c>Console</c> or <c>Otlp</c>, with
    /// <c>Telemetry:OtlpEndpoint</c> and <c>Telemetry:OtlpProtocol</c>): the enrollment meter and activity source, Orleans',
    /// Npgsql's and MassTransit's, and runtime metrics. With <c>None</c> nothing is registered, so nothing is collected.
    /// </summary>
    /// <param name="serviceName">The default <c>service.name</c>, e.g. "enrollment-web" or "enrollment-silo".</param>
    /// <param name="tracing">What a host adds to tracing (the web frontend: ASP.NET Core).</param>
    /// <param name="metrics">What a host adds to metrics.</param>
    public static IServiceCollection AddEnrollmentOpenTelemetry(
        this IServiceCollection services,
        IConfiguration configuration,
        string serviceName,
        Action<TracerProviderBuilder>? tracing = null,
        Action<MeterProviderBuilder>? metrics = null)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.Exporter == TelemetryExporter.None)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName ?? serviceName))
            .WithMetrics(builder =>
            {
                builder.AddMeter(EnrollmentTelemetry.Name, OrleansMeter).AddMeter(LibrarySources).AddRuntimeInstrumentation();
                metrics?.Invoke(builder);
                _ = options.Exporter == TelemetryExporter.Console
                    ? builder.AddConsoleExporter()
                    : builder.AddOtlpExporter(otlp => Configure(otlp, options));
            })
            .WithTracing(builder =>
            {
                builder.AddSource(EnrollmentTelemetry.Name).AddSource(OrleansActivitySources).AddSource(LibrarySources)
                    .SetSampler(new ParentBasedSampler(new BackgroundNoiseSampler()));
                tracing?.Invoke(builder);
                _ = options.Exporter == TelemetryExporter.Console
                    ? builder.AddConsoleExporter()
                    : builder.AddOtlpExporter(otlp => Configure(otlp, options));
            });
        return services;
    }

    /// <summary>True when <c>Telemetry:Exporter</c> names an exporter, i.e. when spans have somewhere to go.</summary>
    public static bool IsTelemetryExported(this IConfiguration configuration) =>
        configuration.GetValue(TelemetryOptions.Section + ":" + nameof(TelemetryOptions.Exporter), TelemetryExporter.None) != TelemetryExporter.None;

    private static void Configure(OpenTelemetry.Exporter.OtlpExporterOptions otlp, TelemetryOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            otlp.Endpoint = endpoint;
        }

        otlp.Protocol = options.OtlpProtocol;
    }
}
