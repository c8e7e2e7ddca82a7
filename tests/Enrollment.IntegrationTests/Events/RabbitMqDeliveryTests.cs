using System.Net.Sockets;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.Events;

/// <summary>
/// End to end through a real RabbitMQ broker (127.0.0.1:5672 unless <c>ENROLLMENT_TEST_RABBITMQ_HOST</c> says
/// otherwise; <c>scripts/start-rabbitmq.sh</c> starts one): an enrollment's event leaves the cluster through the
/// broker, reaching both the notification consumer and a bus of another process.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class RabbitMqDeliveryTests(PostgresFixture database)
{
    private static readonly string Host = Environment.GetEnvironmentVariable("ENROLLMENT_TEST_RABBITMQ_HOST") ?? "127.0.0.1";

    [Fact]
    public async Task An_enrollments_event_reaches_the_consumer_through_the_broker()
    {
        await AssertBrokerAnswersAsync();

        // a bus that shares nothing with the cluster but the broker: what it receives crossed RabbitMQ
        var outsider = new BusRecorder();
        await using var outsiderServices = new ServiceCollection()
            .AddSingleton(outsider)
            .AddMassTransit(bus =>
            {
                bus.AddConsumer<BusRecorder.RecordingConsumer>()
                    .Endpoint(endpoint =>
                    {
                        endpoint.Name = $"test-outsider-{Guid.NewGuid():N}";
                        endpoint.Temporary = true;
                    });
                bus.UsingRabbitMq((context, transport) =>
                {
                    transport.Host(Host, "/", host =>
                    {
                        host.Username("guest");
                        host.Password("guest");
                    });
                    transport.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider();
        var outsiderBus = outsiderServices.GetRequiredService<IBusControl>();
        await outsiderBus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            await using var cluster = await EnrollmentTestCluster.StartAsync(database.ConnectionString, silos: 2, settings: new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "RabbitMq",
                ["Messaging:RabbitMq:Host"] = Host,
            });
            var evt = await database.CreateEventAsync(capacity: 1, hasWaitlist: true, title: "Broker night");
            var grain = cluster.Client.GetGrain<IEventCapacityGrain>(evt.Id);
            var first = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());
            var second = await grain.Enroll(Guid.NewGuid(), Guid.NewGuid());

            await OutboxState.AssertDeliveredExactlyOnceAsync(database.DataSource, evt.Id, 2, TimeSpan.FromSeconds(60));
            await Eventually.HoldsAsync(
                () => Task.FromResult(outsider.Received.Count(delivery => delivery.Event.EventId == evt.Id) == 2), TimeSpan.FromSeconds(30),
                "both events reached a bus in another process through RabbitMQ");

            var notifications = new NotificationQueries(database.DataSource);
            Assert.Equal("You are confirmed for Broker night", Assert.Single(await notifications.ListForUserAsync(first.Enrollment!.UserId)).Message);
            Assert.Equal(
                "You are on the waitlist for Broker night (position 1)",
                Assert.Single(await notifications.ListForUserAsync(second.Enrollment!.UserId)).Message);
        }
        finally
        {
            await outsiderBus.StopAsync();
        }
    }

    private static async Task AssertBrokerAnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, 5672).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception exception)
        {
            Assert.Fail($"No RabbitMQ broker at {Host}:5672 ({exception.Message}). Start one with scripts/start-rabbitmq.sh.");
        }
    }
}
