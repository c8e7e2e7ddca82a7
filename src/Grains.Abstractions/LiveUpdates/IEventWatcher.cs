using Orleans.Concurrency;

namespace OrleansEnrollment.LiveUpdates;

/// <summary>
/// Someone outside the cluster who wants to know, soon after the commit, that an event's enrollments moved: a web
/// frontend with browsers open on that event. It is told only that the event changed and how far (a sequence), never
/// what, so it leaks nothing: each browser reloads its own view, through its own authorization.
/// </summary>
[Alias("IEventWatcher")]
public interface IEventWatcher : IGrainObserver
{
    /// <summary>The event's roster has applied its domain events up to <paramref name="sequence"/>.</summary>
    [OneWay]
    [Alias("EventChanged")]
    Task EventChanged(Guid eventId, long sequence);
}
