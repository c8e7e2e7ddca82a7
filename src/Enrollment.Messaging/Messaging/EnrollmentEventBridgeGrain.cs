using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Messaging;

/// <summary>
/// Subscribed implicitly to every event's domain-event stream: publishes each domain event on the message bus with
/// the domain event's id as the message id, then marks it dispatched in the outbox. One bridge per event handles
/// its stream one batch at a time (a committed group arrives as one batch), publishing in the batch's order, so the
/// bus sees an event's domain events in commit order; the whole batch is marked with one statement, shared with the
/// batches other events' bridges hand in at the same time (<see cref="OutboxDispatchMarker"/>).
/// </summary>
[ImplicitStreamSubscription(EnrollmentStreams.Namespace)]
public sealed class EnrollmentEventBridgeGrain(IBus bus, OutboxDispatchMarker outbox)
    : Grain, IEnrollmentEventBridgeGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<EnrollmentEvent>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<EnrollmentEvent>().ResumeAsync(this);

    public async Task OnNextAsync(IList<SequentialItem<EnrollmentEvent>> items)
    {
        // If publishing or marking fails, the rows stay undispatched and the relay has them emitted again;
        // the message id lets consumers drop the duplicates.
        var metrics = ServiceProvider.GetRequiredService<EnrollmentMetrics>();
        var published = new DispatchedEvent[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i].Item;
            await bus.Publish(item, item.GetType(), Pipe.Execute<PublishContext>(context => context.MessageId = item.Id));
            metrics.Published(item);
            published[i] = new DispatchedEvent(item.EventId, item.Sequence);
        }

        await outbox.MarkAsync(published);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
