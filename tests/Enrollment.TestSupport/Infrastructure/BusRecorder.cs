using System.Collections.Concurrent;
using MassTransit;
using OrleansEnrollment.DomainEvents;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>Every domain event that reached the bus, in the order each silo's bus delivered it.</summary>
public sealed class BusRecorder
{
    public ConcurrentQueue<(Guid MessageId, EnrollmentEvent Event)> Received { get; } = new();

    /// <summary>Registers the recording consumer (one message at a time, so delivery order is kept).</summary>
    public static void AddTo(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<RecordingConsumer>().Endpoint(endpoint => endpoint.ConcurrentMessageLimit = 1);

    public sealed class RecordingConsumer(BusRecorder recorder) : IConsumer<EnrollmentConfirmed>, IConsumer<EnrollmentWaitlisted>
    {
        public Task Consume(ConsumeContext<EnrollmentConfirmed> context) => Record(context);

        public Task Consume(ConsumeContext<EnrollmentWaitlisted> context) => Record(context);

        private Task Record<T>(ConsumeContext<T> context)
            where T : EnrollmentEvent
        {
            recorder.Received.Enqueue((context.MessageId ?? Guid.Empty, context.Message));
            return Task.CompletedTask;
        }
    }
}
