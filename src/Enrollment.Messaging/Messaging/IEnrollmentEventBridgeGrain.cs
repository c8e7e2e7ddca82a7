namespace OrleansEnrollment.Messaging;

/// <summary>The bus bridge of one event (keyed by the event id); activated by its stream, it has no methods of its own.</summary>
[Alias("IEnrollmentEventBridgeGrain")]
public interface IEnrollmentEventBridgeGrain : IGrainWithGuidKey;
