using System.Diagnostics;

namespace OrleansEnrollment.Telemetry;

/// <summary>
/// The names this system reports its metrics and traces under. One meter and one activity source, both named
/// <see cref="Name"/>, so an exporter subscribes to everything with a single line.
/// </summary>
public static class EnrollmentTelemetry
{
    public const string Name = "OrleansEnrollment";

    public const string DecisionsCounter = "enrollment.decisions";
    public const string GroupCommitSizeHistogram = "enrollment.group_commit.size";
    public const string GroupCommitDurationHistogram = "enrollment.group_commit.duration";
    public const string CommitRefusalsCounter = "enrollment.commit.refusals";
    public const string WaitingGauge = "enrollment.waitlist.waiting";
    public const string OutboxLagHistogram = "enrollment.outbox.lag";

    public const string EnrollActivity = "enrollment.enroll";
    public const string GroupCommitActivity = "enrollment.group_commit";

    /// <summary>Static, unlike the meter: activities carry no per-host state, and listeners select them by name.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);
}
