using Microsoft.AspNetCore.SignalR;
using OrleansEnrollment.LiveUpdates;
using OrleansEnrollment.ReadModels;

namespace OrleansEnrollment.WebFrontend.LiveUpdates;

/// <summary>
/// This frontend's subscriptions to the cluster: one watch per event that any of its connected browsers shows,
/// however many browsers that is, held on the event's roster grain (which is fed by the event's domain-event stream)
/// and renewed every <see cref="RenewEvery"/> (a roster that moved to another silo starts with no watchers; renewal
/// brings this frontend back within that time). What the cluster says goes to the event's SignalR group.
/// </summary>
public sealed partial class EventWatchFeed(IGrainFactory grains, IHubContext<EnrollmentHub> hub, ILogger<EventWatchFeed> logger)
    : BackgroundService, IEventWatcher
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, int> browsersByEvent = [];

    // Orleans holds an observer weakly: this singleton keeps it alive, and the reference is made once.
    private IEventWatcher? reference;

    private IEventWatcher Reference => reference ??= grains.CreateObjectReference<IEventWatcher>(this);

    /// <summary>Events watched by at least one browser connected here.</summary>
    public IReadOnlyCollection<Guid> WatchedEvents
    {
        get
        {
            lock (gate)
            {
                return browsersByEvent.Keys.ToList();
            }
        }
    }

    public async Task WatchAsync(Guid eventId)
    {
        lock (gate)
        {
            var browsers = browsersByEvent.GetValueOrDefault(eventId) + 1;
            browsersByEvent[eventId] = browsers;
            if (browsers > 1)
            {
                return;
            }
        }

        await RenewAsync(eventId);
    }

    public async Task UnwatchAsync(Guid eventId)
    {
        lock (gate)
        {
            var browsers = browsersByEvent.GetValueOrDefault(eventId) - 1;
            if (browsers > 0)
            {
                browsersByEvent[eventId] = browsers;
                return;
            }

            browsersByEvent.Remove(eventId);
        }

        try
        {
            await grains.GetGrain<IEventRosterGrain>(eventId).Unwatch(Reference);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The lease ends the watch anyway.
            LogUnwatchFailed(exception, eventId);
        }
    }

    public Task EventChanged(Guid eventId, long sequence) =>
        hub.Clients.Group(EnrollmentHub.GroupFor(eventId)).SendAsync(EnrollmentHub.EventChangedMethod, eventId, sequence);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var eventId in WatchedEvents)
                {
                    await RenewAsync(eventId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task RenewAsync(Guid eventId)
    {
        try
        {
            await grains.GetGrain<IEventRosterGrain>(eventId).Watch(Reference);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The browsers still work (they reload on reconnect and on their own actions); the next renewal retries.
            LogWatchFailed(exception, eventId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not watch event {EventId} for live updates; retrying at the next renewal")]
    private partial void LogWatchFailed(Exception exception, Guid eventId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not stop watching event {EventId}")]
    private partial void LogUnwatchFailed(Exception exception, Guid eventId);
}
