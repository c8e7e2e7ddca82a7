using OrleansEnrollment.LiveUpdates;

namespace OrleansEnrollment.Tests.LiveUpdates;

/// <summary>When an event's watchers are told: at once after a quiet spell, once per interval in a burst, never after their lease.</summary>
public sealed class EventWatchersTests
{
    private readonly ManualTime time = new();
    private readonly Guid eventId = Guid.NewGuid();

    [Fact]
    public void Nobody_watching_means_nothing_to_do()
    {
        Assert.Null(new EventWatchers(time).Changed());
    }

    [Fact]
    public void The_first_change_goes_out_at_once_and_a_burst_after_it_as_one_trailing_call()
    {
        var watchers = new EventWatchers(time);
        var watcher = new RecordingWatcher();
        watchers.Renew(watcher);

        Assert.Equal(TimeSpan.Zero, watchers.Changed());
        watchers.TellAll(eventId, 1);
        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.Equal(TimeSpan.FromMilliseconds(70), watchers.Changed()); // schedule the trailing call
        Assert.Null(watchers.Changed());                                 // already scheduled: folded into it
        time.Advance(TimeSpan.FromMilliseconds(70));
        watchers.TellAll(eventId, 3);
        time.Advance(EventWatchers.MinInterval);
        Assert.Equal(TimeSpan.Zero, watchers.Changed());

        Assert.Equal([1L, 3L], watcher.Sequences);
    }

    [Fact]
    public void A_watcher_that_stops_renewing_is_dropped_after_its_lease()
    {
        var watchers = new EventWatchers(time);
        var gone = new RecordingWatcher();
        var renewing = new RecordingWatcher();
        watchers.Renew(gone);
        watchers.Renew(renewing);

        time.Advance(EventWatchers.Lease - TimeSpan.FromSeconds(1));
        watchers.Renew(renewing);
        time.Advance(TimeSpan.FromSeconds(2));
        watchers.TellAll(eventId, 7);

        Assert.Empty(gone.Sequences);
        Assert.Equal([7L], renewing.Sequences);
        Assert.Equal(1, watchers.Count);
    }

    [Fact]
    public void A_watcher_whose_call_throws_is_dropped_and_the_others_are_still_told()
    {
        var watchers = new EventWatchers(time);
        var broken = new RecordingWatcher { Throws = true };
        var fine = new RecordingWatcher();
        watchers.Renew(broken);
        watchers.Renew(fine);

        watchers.TellAll(eventId, 2);

        Assert.Equal([2L], fine.Sequences);
        Assert.Equal(1, watchers.Count);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    private sealed class RecordingWatcher : IEventWatcher
    {
        public List<long> Sequences { get; } = [];

        public bool Throws { get; init; }

        public Task EventChanged(Guid eventId, long sequence)
        {
            if (Throws)
            {
                throw new InvalidOperationException("gone");
            }

            Sequences.Add(sequence);
            return Task.CompletedTask;
        }
    }
}
