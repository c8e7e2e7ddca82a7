namespace OrleansEnrollment.Telemetry;

public enum TelemetryExporter
{
    /// <summary>The default: no OpenTelemetry pipeline at all, so tests and local runs stay quiet and pay nothing.</summary>
    None,

    /// <summary>Metrics and traces written to standard output, for a look without a collector.</summary>
    Console,

    /// <summary>OTLP to a collector (<see cref="TelemetryOptions.OtlpEndpoint"/>).</summary>
    Otlp,
}

/// <summary>Where metrics and traces go (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>
    /// The collector, e.g. <c>http://localhost:4317</c> (gRPC) or <c>http://localhost:4318</c> with
    /// <see cref="OtlpProtocol"/> <c>HttpProtobuf</c>. Unset: the exporter's own default and the standard
    /// <c>OTEL_EXPORTER_OTLP_*</c> environment variables apply.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    public OpenTelemetry.Exporter.OtlpExportProtocol OtlpProtocol { get; set; } = OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;

    /// <summary>The <c>service.name</c> resource attribute; each host passes its own when this is unset.</summary>
    public string? ServiceName { get; set; }
}
