namespace OrleansEnrollment.Enrollments;

/// <summary>
/// The decision could not be made durable right now (database unreachable, or the decider kept losing to another
/// activation). When <see cref="NothingWritten"/> is true the request left no trace; otherwise retrying is safe,
/// since enrolling again returns the enrollment if it did land.
/// </summary>
[GenerateSerializer]
[Alias("EnrollmentUnavailableException")]
public sealed class EnrollmentUnavailableException : Exception
{
    public EnrollmentUnavailableException()
    {
    }

    public EnrollmentUnavailableException(string message, bool nothingWritten, Exception? innerException = null)
        : base(message, innerException)
    {
        NothingWritten = nothingWritten;
    }

    [Id(0)]
    public bool NothingWritten { get; private set; }
}
