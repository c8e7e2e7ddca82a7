namespace OrleansEnrollment.Messaging;

public enum MessageTransport
{
    /// <summary>The default: a bus inside each process, nothing to install.</summary>
    InMemory,

    /// <summary>A RabbitMQ broker, shared by every process that points at it.</summary>
    RabbitMq,
}

/// <summary>The message bus (configuration section <c>Messaging</c>).</summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public MessageTransport Transport { get; set; } = MessageTransport.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();
}

public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";

    public string Password { get; set; } = "guest";
}
