namespace OrleansEnrollment.Outbox;

/// <summary>A domain event the bus has, named by its event and sequence: the key of its row in <c>outbox_pending</c>.</summary>
public readonly record struct DispatchedEvent(Guid EventId, long Sequence);
