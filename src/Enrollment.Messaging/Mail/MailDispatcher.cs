using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansEnrollment.Mail;

/// <summary>
/// Sends the mail outbox: at once when this process added mail, and every <see cref="MailOptions.PollInterval"/> for
/// what others added or what waits for a retry. Without <c>Email:Smtp:Host</c> it sends nothing: mail stays in the
/// outbox until a host with a mail server runs.
/// </summary>
public sealed partial class MailDispatcher(MailOutbox outbox, IMailTransport transport, IOptionsMonitor<MailOptions> options, ILogger<MailDispatcher> logger)
    : BackgroundService
{
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.CurrentValue.Smtp.Host))
        {
            LogNoServer();
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await outbox.SendDueAsync(transport, options.CurrentValue, BatchSize, stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // the database or the server is away; the mail waits in the outbox
                LogSendFailed(exception);
            }

            try
            {
                await outbox.WaitForNewMailAsync(options.CurrentValue.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No mail server is configured (Email:Smtp:Host): mails are kept in the outbox and not sent")]
    private partial void LogNoServer();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending mail failed; it stays in the outbox and is tried again")]
    private partial void LogSendFailed(Exception exception);
}
