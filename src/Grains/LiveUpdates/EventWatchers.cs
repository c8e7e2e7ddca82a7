namespace OrleansEnrollment.LiveUpdates;

/// <summary>
/// The watchers of one event and when to tell them. A watcher that has not renewed within <see cref="Lease"/> is
/// dropped (its frontend is gone); one whose call fails is dropped at once and comes back with its next renewal.
/// Watchers are told at most once per <see cref="MinInterval"/>: a hot event commits thousands of changes a second,
/// and a browser needs the latest state, not every step. The first change after a quiet spell goes out at once; later
/// ones within the interval are folded into one trailing call, which the owner schedules.
/// </summary>
public sealed class EventWatchers(TimeProvider time)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<IEventWatcher, DateTimeOffset> renewedAt = [];
    private DateTimeOffset lastToldAt = DateTimeOffset.MinValue;
    private bool trailingCallDue;

    public int Count => renewedAt.Count;

    public void Renew(IEventWatcher watcher) => renewedAt[watcher] = time.GetUtcNow();

    public void Remove(IEventWatcher watcher) => renewedAt.Remove(watcher);

    /// <summary>
    /// The roster moved. Returns how long to wait before <see cref="TellAll"/>: zero to tell now, null when nobody
    /// watches or a trailing call is already scheduled.
    /// </summary>
    public TimeSpan? Changed()
    {
        if (renewedAt.Count == 0 || trailingCallDue)
        {
            return null;
        }

        var wait = lastToldAt + MinInterval - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        trailingCallDue = true;
        return wait;
    }

    /// <summary>Tells every live watcher (one-way calls: a slow frontend never holds the roster up).</summary>
    public void TellAll(Guid eventId, long sequence)
    {
        var now = time.GetUtcNow();
        lastToldAt = now;
        trailingCallDue = false;
        foreach (var (watcher, renewed) in renewedAt.ToList())
        {
            if (now - renewed > Lease)
            {
                renewedAt.Remove(watcher);
                continue;
            }

            try
            {
                _ = watcher.EventChanged(eventId, sequence);
            }
            catch (Exception)
            {
                // The reference no longer resolves (its client left the cluster): it renews itself if it comes back.
                renewedAt.Remove(watcher);
            }
        }
    }
}
