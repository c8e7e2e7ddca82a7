using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process, on a free loopback port: the app sends its mail over SMTP as it would to
/// any server, and tests read what arrived. <see cref="Refusing"/> makes it answer every mail with a failure.
/// </summary>
public sealed partial class TestMailServer : IAsyncDisposable
{
    private static readonly Lazy<TestMailServer> SharedServer = new(() => new TestMailServer());

    private readonly CancellationTokenSource stop = new();
    private readonly Task running;
    private readonly ConcurrentQueue<MimeMessage> received = new();

    public TestMailServer()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("test-mail.localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
    }

    /// <summary>
    /// The one server of the test run. Every app on the shared database sends whatever mail is due, whoever wrote it,
    /// so mail of one app can leave through another's dispatcher: they all send here.
    /// </summary>
    public static TestMailServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>While set, every mail is answered "try again later" and not stored.</summary>
    public volatile bool Refusing;

    public IReadOnlyList<MimeMessage> Received => [.. received];

    /// <summary>The settings that point the app at this server.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
        ["Email:PollInterval"] = "00:00:00.200",
        ["Email:RetryDelay"] = "00:00:00.200",
    };

    public IReadOnlyList<MimeMessage> To(string address) =>
        received.Where(message => message.To.Mailboxes.Any(mailbox => string.Equals(mailbox.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Waits for the <paramref name="count"/>-th mail to this address and returns it.</summary>
    public async Task<MimeMessage> WaitForMailAsync(string address, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (To(address) is var mails && mails.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No mail number {count} to {address} arrived; {received.Count} mail(s) in all.");
            }

            await Task.Delay(50);
        }

        return To(address)[count - 1];
    }

    /// <summary>
    /// Waits for a mail to this address with this subject and returns it. Mails of different kinds may arrive in any
    /// order (the bus does not order messages of different types), so tests that expect several look for each by subject.
    /// </summary>
    public async Task<MimeMessage> WaitForMailAsync(string address, string subject, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (To(address).FirstOrDefault(mail => mail.Subject == subject) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No mail '{subject}' to {address} arrived; it has: {string.Join(" | ", To(address).Select(mail => mail.Subject))}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The first link in a mail's text, e.g. the confirmation or reset link.</summary>
    public static Uri LinkIn(MimeMessage message) =>
        LinkPattern().Match(message.TextBody ?? "") is { Success: true } match
            ? new Uri(match.Value)
            : throw new InvalidOperationException($"No link in the mail '{message.Subject}': {message.TextBody}");

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(TestMailServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (server.Refusing)
            {
                return SmtpResponse.MailboxUnavailable;
            }

            await using var stream = new MemoryStream(buffer.ToArray());
            server.received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
