using Microsoft.AspNetCore.Http.Features;

namespace OrleansEnrollment.WebFrontend.Hosting;

/// <summary>
/// Refuses request bodies over 1 MB with a 413 whatever server runs the app. Kestrel enforces its own limit, but only
/// Kestrel: other servers (the in-process test server, for one) would read any size, so the limit is enforced here too.
/// </summary>
public static class RequestBodyLimit
{
    public const long MaxBytes = 1024 * 1024;

    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        var serverLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (serverLimit is not { IsReadOnly: false, MaxRequestBodySize: <= MaxBytes })
        {
            // A body without a length (chunked) is counted as it is read.
            context.Request.Body = new LimitedStream(context.Request.Body);
        }

        await next(context);
    });

    private static BadHttpRequestException TooLarge() =>
        new($"The request body is larger than {MaxBytes / 1024} KB.", StatusCodes.Status413PayloadTooLarge);

    private sealed class LimitedStream(Stream inner) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int bytes)
        {
            read += bytes;
            return read > MaxBytes ? throw TooLarge() : bytes;
        }
    }
}
