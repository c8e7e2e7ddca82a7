namespace OrleansEnrollment.Enrollments;

/// <summary>How <see cref="IEventCapacityGrain.DeleteEvent"/> ended.</summary>
[GenerateSerializer]
[Alias("EventDeletionOutcome")]
public enum EventDeletionOutcome
{
    /// <summary>The event and its policy are gone.</summary>
    Deleted = 0,

    /// <summary>Refused: the event has (or had) enrollments, so its history must stay; nothing was deleted.</summary>
    HasEnrollments = 1,

    NotFound = 2,
}
