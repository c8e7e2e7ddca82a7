using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Enrollments;

/// <summary>What an event's <see cref="DecisionWriter"/> tells the grain it serves.</summary>
public interface IDecisionListener
{
    /// <summary>A group committed: its domain events, to go out after the commit. Called once per commit, in commit order.</summary>
    Task EmitCommittedAsync(IReadOnlyList<EnrollmentEvent> events);

    /// <summary>A commit's outcome was not known at once: its domain events may wait in the outbox and must leave from there.</summary>
    void MayHaveUnemittedEvents();

    /// <summary>The event does not exist (any more): every waiting call was answered so.</summary>
    void EventMissing();
}
