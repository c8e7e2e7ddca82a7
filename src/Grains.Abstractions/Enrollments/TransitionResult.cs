namespace OrleansEnrollment.Enrollments;

[GenerateSerializer]
[Alias("TransitionOutcome")]
public enum TransitionOutcome
{
    /// <summary>The transition was committed; <see cref="TransitionResult.Enrollment"/> is the enrollment after it.</summary>
    Done = 0,

    /// <summary>No such (live) enrollment, or no such event; nothing was written.</summary>
    NotFound = 1,

    /// <summary>The transition does not apply to the enrollment as it stands; nothing was written. See the message.</summary>
    NotAllowed = 2,
}

/// <summary>The answer to a cancel, check-in, attend or promote.</summary>
[GenerateSerializer, Immutable]
[Alias("TransitionResult")]
public sealed record TransitionResult(
    [property: Id(0)] TransitionOutcome Outcome,
    [property: Id(1)] Enrollment? Enrollment,
    [property: Id(2)] string? Message)
{
    public static TransitionResult Done(Enrollment enrollment) => new(TransitionOutcome.Done, enrollment, null);

    public static TransitionResult NotFound(string message) => new(TransitionOutcome.NotFound, null, message);

    public static TransitionResult NotAllowed(string message) => new(TransitionOutcome.NotAllowed, null, message);
}

/// <summary>Who asks for a transition, and why (both go into the audit trail).</summary>
[GenerateSerializer, Immutable]
[Alias("TransitionRequest")]
public sealed record TransitionRequest(
    [property: Id(0)] Guid? ActorId,
    [property: Id(1)] Guid RequestId,
    [property: Id(2)] string? Reason)
{
    public const int MaxReasonLength = 500;
}
