using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Tests.Telemetry;

/// <summary>The OpenTelemetry pipeline as configuration chooses it, and which traces it keeps.</summary>
public sealed class TelemetryPipelineTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("None", false)]
    [InlineData("Console", true)]
    [InlineData("Otlp", true)]
    public void The_exporter_setting_decides_whether_there_is_a_pipeline(string? exporter, bool expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:Exporter"] = exporter, ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317" })
            .Build();
        using var services = new ServiceCollection().AddLogging().AddEnrollmentOpenTelemetry(configuration, "test").BuildServiceProvider();

        Assert.Equal(expected, services.GetService<MeterProvider>() is not null);
        Assert.Equal(expected, services.GetService<TracerProvider>() is not null);
        Assert.Equal(expected, configuration.IsTelemetryExported());
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.HttpRequestIn", ActivityKind.Server, true)]
    [InlineData(EnrollmentTelemetry.GroupCommitActivity, ActivityKind.Internal, true)]
    [InlineData("EnrollmentConfirmed publish", ActivityKind.Producer, true)]
    [InlineData("IMemoryStreamQueueGrain/Dequeue", ActivityKind.Client, false)]
    [InlineData("IGrainTimerInvoker/InvokeCallbackAsync", ActivityKind.Server, false)]
    [InlineData("postgresql", ActivityKind.Client, false)]
    public void Traces_start_at_requests_not_at_background_work(string name, ActivityKind kind, bool sampled)
    {
        var parameters = new SamplingParameters(default, ActivityTraceId.CreateRandom(), name, kind);

        var decision = new BackgroundNoiseSampler().ShouldSample(parameters).Decision;

        Assert.Equal(sampled, decision == SamplingDecision.RecordAndSample);
    }
}
