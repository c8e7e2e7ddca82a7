using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Enrollments;

/// <summary>What the writer reports: each commit's size, time and span; each refusal, counted by reason and logged.</summary>
public sealed partial class DecisionWriter
{
    /// <summary>
    /// A refusal means the state the writer decided on was not the database's. With one activation per event that
    /// never happens, so each one is worth a warning: a second activation (a membership change), or a bug.
    /// </summary>
    private void ReportRefusal(CommitResult.Refused refused, int groupSize)
    {
        metrics.Refused(refused.Reason);
        LogRefusal(eventId, groupSize, refused.Reason, refused.Detail);
    }

    private Task<CommitResult> TimedCommitAsync(int groupSize, Func<Task<CommitResult>> commit) =>
        TimedAsync(groupSize, async () => { var result = await commit(); return (result, result); });

    private Task<(EventCapacityState? State, CommitResult Result)> TimedUnderLockAsync(
        int groupSize, Func<Task<(EventCapacityState? State, CommitResult Result)>> commit) =>
        TimedAsync(groupSize, async () => { var outcome = await commit(); return (outcome, outcome.Result); });

    /// <summary>One commit, timed and in a span of its own.</summary>
    private async Task<T> TimedAsync<T>(int groupSize, Func<Task<(T Value, CommitResult Result)>> commit)
    {
        // A group serves many callers, so its span belongs to none of their traces: it starts a trace of its own and
        // links to the call that was current when the writer started (changing Activity.Current here does not leak
        // out of this async method).
        var caller = Activity.Current;
        Activity.Current = null;
        using var activity = EnrollmentTelemetry.ActivitySource.StartActivity(
            EnrollmentTelemetry.GroupCommitActivity, ActivityKind.Internal, default(ActivityContext),
            links: caller is null ? null : [new ActivityLink(caller.Context)]);
        activity?.SetTag("enrollment.event_id", eventId).SetTag("enrollment.group_size", groupSize);

        var started = Stopwatch.GetTimestamp();
        var result = "failed";
        try
        {
            var (value, committed) = await commit();
            result = committed is CommitResult.Committed ? "committed" : "refused";
            return value;
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
        finally
        {
            metrics.GroupCommitted(groupSize, Stopwatch.GetElapsedTime(started), result);
            activity?.SetTag("enrollment.commit_result", result);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Event {EventId}: the database refused a group of {GroupSize} decision(s) ({Reason}): {Detail}. Deciding them again under its lock")]
    private partial void LogRefusal(Guid eventId, int groupSize, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Event {EventId}: the database refused decisions taken under its lock, where nothing can be stale: the rule and the backstop disagree. {Detail}")]
    private partial void LogRefusedUnderLock(Guid eventId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: committing a group of decisions failed; fencing the event and reading it back")]
    private partial void LogCommitFailed(Exception exception, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: a step run alone (deleting the event) failed; fencing the event and reading it back")]
    private partial void LogStepFailed(Exception exception, Guid eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId}: reading the event from the database failed; the waiting calls are answered with an error")]
    private partial void LogReadFailed(Exception exception, Guid eventId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Event {EventId}: the decision writer failed unexpectedly; every waiting call is answered with an error")]
    private partial void LogWriterFailed(Exception exception, Guid eventId);
}
