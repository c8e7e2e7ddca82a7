namespace OrleansEnrollment.Enrollments;

/// <summary>
/// What one call decides on a state: what to write (null for nothing) and its answer. The answer is read off the
/// state once this decision is applied to it, so it reflects exactly the decisions before it and its own.
/// </summary>
public readonly record struct Decision<TAnswer>(DecisionWrite? Write, Func<EventCapacityState, TAnswer> Answer);
