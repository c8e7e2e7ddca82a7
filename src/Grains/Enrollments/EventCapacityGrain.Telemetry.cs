using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Enrollments;

/// <summary>
/// What the grain reports: each enroll answer by outcome, each group commit's size and time, and the waitlist length.
/// Kept apart from the decision code, which only calls <see cref="TracedEnrollAsync"/>; the writer reports its commits itself.
/// </summary>
public sealed partial class EventCapacityGrain
{
    private EnrollmentMetrics? metrics;

    // Resolved rather than injected, so the grain's constructor (and every test that builds one) stays as it is.
    private EnrollmentMetrics Metrics => metrics ??= ServiceProvider.GetRequiredService<EnrollmentMetrics>();

    /// <summary>
    /// Counts this event's waiting people from activation, not from its first commit: a silo that took over a grain
    /// (a restart, a rebalance) would otherwise report nobody waiting until someone enrolls or leaves.
    /// </summary>
    private void ReportWaitlistOnActivation(EventCapacityState? loaded)
    {
        if (loaded is not null)
        {
            Metrics.Waiting(EventId, loaded.WaitlistCount);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Metrics.Forget(EventId);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>An enroll call in a span of its own, its answer counted by outcome once the caller has it.</summary>
    private async Task<EnrollmentResult> TracedEnrollAsync(Guid userId, Func<Task<EnrollmentResult>> enroll)
    {
        using var activity = EnrollmentTelemetry.ActivitySource.StartActivity(EnrollmentTelemetry.EnrollActivity);
        activity?.SetTag("enrollment.event_id", EventId).SetTag("enrollment.user_id", userId);
        try
        {
            var result = await enroll();
            var outcome = DecisionOutcome.Of(result);
            Metrics.Decided(outcome);
            activity?.SetTag("enrollment.outcome", outcome);
            return result;
        }
        catch (Exception exception)
        {
            Metrics.Decided(DecisionOutcome.Failed);
            activity?.SetTag("enrollment.outcome", DecisionOutcome.Failed).SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
    }
}
