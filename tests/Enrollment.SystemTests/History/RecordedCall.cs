using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Tests.History;

/// <summary>One call of the run and what it was told: an answer, or a failure.</summary>
public sealed class RecordedCall(string kind, Guid eventId, Guid? userId, Guid requestId)
{
    public string Kind => kind;

    public Guid EventId => eventId;

    /// <summary>The person the call is about (the caller, or whom the admin acts on); null for event-wide calls.</summary>
    public Guid? UserId => userId;

    /// <summary>Fresh per call; the audit trail records it as request_id.</summary>
    public Guid RequestId => requestId;

    public object? Answer { get; private set; }

    public Exception? Failure { get; private set; }

    public bool Succeeded => Failure is null;

    /// <summary>Failed, and told nothing was written: nothing of it may be in the database.</summary>
    public bool NothingWritten => Failure is EnrollmentUnavailableException { NothingWritten: true };

    /// <summary>Failed without knowing whether it landed: either is allowed.</summary>
    public bool OutcomeUnknown => Failure is not null && !NothingWritten;

    public async Task<T> RecordAsync<T>(Func<Task<T>> send)
    {
        try
        {
            var answer = await send();
            Answer = answer;
            return answer;
        }
        catch (Exception exception)
        {
            Failure = exception;
            throw;
        }
    }

    public override string ToString() =>
        $"{kind} (event {eventId}, user {userId?.ToString() ?? "-"}, request {requestId}) → {(Failure is { } failure ? $"{failure.GetType().Name}: {failure.Message}" : Describe(Answer))}";

    private static string Describe(object? answer) => answer switch
    {
        EnrollmentResult result => $"{result.Outcome} {Describe(result.Enrollment)}",
        TransitionResult result => $"{result.Outcome} {Describe(result.Enrollment)}",
        Enrollment enrollment => $"{enrollment.Id} {enrollment.Status.ToName()} position {enrollment.WaitlistPosition?.ToString() ?? "-"}",
        EventCapacitySummary summary => $"{summary.ActiveCount} active, {summary.WaitlistCount} waiting, capacity {summary.Policy.Capacity?.ToString() ?? "∞"}",
        null => "nothing",
        _ => answer.ToString() ?? "?",
    };
}
