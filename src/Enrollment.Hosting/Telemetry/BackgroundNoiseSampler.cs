using System.Diagnostics;
using OpenTelemetry.Trace;

namespace OrleansEnrollment.Telemetry;

/// <summary>
/// Decides for spans that start a trace: background work nobody asked for is not traced. Orleans calls its timers,
/// stream pulling agents (every 20 ms) and the dashboard's collectors as grain calls, and the outbox relay queries
/// PostgreSQL every second; traced, they outnumber requests a thousand to one. Spans under a traced parent follow the
/// parent (see <see cref="ParentBasedSampler"/>), so a request's grain calls and SQL are all kept.
/// </summary>
/// <remarks>
/// Orleans files calls to interfaces whose namespace starts with "Orleans" under its runtime activity source, and
/// <c>OrleansEnrollment.*</c> does: our grains' spans come from "Microsoft.Orleans.Runtime" along with the runtime's, so
/// the source cannot tell them apart; whether anything upstream asked for the call can.
/// </remarks>
public sealed class BackgroundNoiseSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        var background = parameters.Kind == ActivityKind.Client || (parameters.Kind == ActivityKind.Server && IsGrainCall(parameters.Name));
        return new SamplingResult(background ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }

    /// <summary>Orleans names a grain call "IInterface/Method": a slash, no spaces (HTTP spans start "Microsoft.AspNetCore…").</summary>
    private static bool IsGrainCall(string name) => name.Contains('/') && !name.Contains(' ');
}
