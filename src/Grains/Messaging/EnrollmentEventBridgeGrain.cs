using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.DomainEvents;
using OrleansEnrollment.Outbox;
using OrleansEnrollment.Telemetry;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansEnrollment.Messaging;

/// <summary>
/// Subscribed implicitly to every event's domain-event stream: publishes each domain event on the message bus with
/// the domain event's id as the message id, then marks it dispatched in the outbox. One bridge per event handles
/// its stream one item at a time, so the bus sees an event's domain events in commit order.
/// </summary>
[ImplicitStreamSubscription(EnrollmentStreams.Namespace)]
public sealed class EnrollmentEventBridgeGrain(IBus bus, OutboxStore outbox)
    : Grain, IEnrollmentEventBridgeGrain, IStreamSubscriptionObserver, IAsyncObserver<EnrollmentEvent>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<EnrollmentEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EnrollmentEvent item, StreamSequenceToken? token = null)
    {
        // If publishing or marking fails, the row stays undispatched and the relay has it emitted again;
        // the message id lets consumers drop the duplicate.
        await bus.Publish(item, item.GetType(), Pipe.Execute<PublishContext>(context => context.MessageId = item.Id));
        ServiceProvider.GetRequiredService<EnrollmentMetrics>().Published(item);
        await outbox.MarkDispatchedAsync([item.Id]);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
