using System.Diagnostics;
using Npgsql;
using OrleansEnrollment.Enrollments;
using OrleansEnrollment.Notifications;
using OrleansEnrollment.Tests.Infrastructure;

namespace OrleansEnrollment.Tests.History;

/// <summary>
/// Holds a run's recorded calls against what the database committed, and lists every disagreement:
/// <list type="number">
/// <item>a call told "nothing written" left no row; a call told it wrote has its own audit row with the status it was
/// told; a call that wrote nothing by its answer has none;</item>
/// <item>every enrollment in any answer (reads included) is in that enrollment's committed history with the answered
/// status and its stored position;</item>
/// <item>every audit row belongs to a call that was told it wrote (or whose outcome was unknown);</item>
/// <item>each person's final enrollment is the one their last definite answer implied, unless an offer of theirs expired
/// after it (offers end at their deadline with nobody calling);</item>
/// <item>capacity, counters, unique positions, no free seat while someone waits (<see cref="EnrollmentInvariants"/>),
/// positions in arrival order, and every system promotion or offer taking the head of the waitlist;</item>
/// <item>each event's outbox is gap-free (one domain event per audit row), fully dispatched, and every event the
/// notification consumer handles was consumed exactly once.</item>
/// </list>
/// </summary>
public static class HistoryChecks
{
    private static readonly HashSet<string> PersonKinds = ["enroll", "cancel", "accept", "decline", "read", "summary"];

    public static async Task<List<string>> FindProblemsAsync(NpgsqlDataSource dataSource, IReadOnlyList<Guid> eventIds, IReadOnlyList<RecordedCall> calls)
    {
        var problems = new List<string>();
        await WaitForTheOutboxToDrainAsync(dataSource, eventIds, problems);
        var history = await CommittedHistory.ReadAsync(dataSource, eventIds);

        foreach (var call in calls)
        {
            problems.AddRange(AnswerProblems(call, history).Select(problem => $"{call}: {problem}"));
        }

        problems.AddRange(AuditRowsWithoutAWritingCall(calls, history));
        problems.AddRange(FinalStatesOtherThanTold(calls, history));
        problems.AddRange(await EnrollmentInvariants.FindViolationsAsync(dataSource, eventIds.ToArray(), capacityMayHaveBeenLowered: true));
        problems.AddRange(OutOfArrivalOrder(history));
        problems.AddRange(await OutboxProblemsAsync(dataSource, eventIds, history));
        return problems;
    }

    private static IEnumerable<string> AnswerProblems(RecordedCall call, CommittedHistory history)
    {
        if (call.Failure is { } failure)
        {
            if (failure is not EnrollmentUnavailableException)
            {
                yield return $"failed with {failure.GetType().Name}, not EnrollmentUnavailableException";
            }

            if (call.NothingWritten && history.AuditByRequest[call.RequestId].Any())
            {
                yield return "told nothing was written, but the database holds its audit row(s)";
            }

            yield break;
        }

        var own = history.OwnRowsOf(call).ToList();
        var (enrollment, wrote) = call.Answer switch
        {
            EnrollmentResult { Outcome: EnrollmentOutcome.EventNotFound } => (null, false),
            EnrollmentResult result => (result.Enrollment, result.Outcome == EnrollmentOutcome.Enrolled),
            TransitionResult result => (result.Enrollment, result.Outcome == TransitionOutcome.Done),
            Enrollment read => (read, false),
            _ => ((Enrollment?)null, false),
        };

        if (call.Answer is EnrollmentResult { Outcome: EnrollmentOutcome.EventNotFound } or null && call.Kind is not "read")
        {
            yield return "answered as if the event did not exist";
        }

        if (wrote && !own.Any(row => row.EnrollmentId == enrollment!.Id && row.To == enrollment.Status && (call.Kind != "enroll" || row.From is null)))
        {
            yield return $"told {enrollment!.Status.ToName()}, but the database has no such row of it";
        }

        if (!wrote && own.Count > 0)
        {
            yield return $"its answer wrote nothing, but the database holds {own.Count} row(s) of it";
        }

        if (enrollment is not null)
        {
            if (!history.Enrollments.TryGetValue(enrollment.Id, out var stored))
            {
                yield return $"answered enrollment {enrollment.Id}, which the database never committed";
                yield break;
            }

            if (!history.WasEver(enrollment.Id, enrollment.Status))
            {
                yield return $"answered enrollment {enrollment.Id} as {enrollment.Status.ToName()}, a status it never committed";
            }

            if (stored.WaitlistPosition != enrollment.WaitlistPosition)
            {
                yield return $"answered position {enrollment.WaitlistPosition}, the database holds {stored.WaitlistPosition}";
            }

            if (call.UserId is { } user && stored.UserId != user)
            {
                yield return $"answered enrollment {enrollment.Id} of another person";
            }
        }
    }

    /// <summary>Every audit row was written for a call that was told it wrote something, or does not know.</summary>
    private static IEnumerable<string> AuditRowsWithoutAWritingCall(IReadOnlyList<RecordedCall> calls, CommittedHistory history)
    {
        var byRequest = calls.ToDictionary(call => call.RequestId);
        foreach (var rows in history.AuditByRequest)
        {
            if (!byRequest.TryGetValue(rows.Key, out var call))
            {
                // the expiry poller's call: offers ending at their deadline, and the seats they free offered on
                if (!rows.First().IsExpiry || rows.Any(row => row.ActorId is not null || !(row.IsExpiry || row.To == EnrollmentStatus.Offered)))
                {
                    yield return $"audit rows under request {rows.Key}, which no call of the run sent";
                }

                continue;
            }

            var toldItWrote = call.OutcomeUnknown || call.Answer switch
            {
                EnrollmentResult result => result.Outcome == EnrollmentOutcome.Enrolled,
                TransitionResult result => result.Outcome == TransitionOutcome.Done,
                EventCapacitySummary => call.Kind == "policy",
                _ => false,
            };
            if (!toldItWrote)
            {
                yield return $"{call}: the database holds {rows.Count()} row(s) of a call that was not told it wrote";
            }

            if (rows.Any(row => row.ActorId is null) && call.Kind is not ("cancel" or "decline" or "policy"))
            {
                yield return $"{call}: promoted someone, which only a cancellation or a policy change does";
            }
        }
    }

    /// <summary>Each person walks one call at a time; what their last definite answer implied is what the database holds.</summary>
    private static IEnumerable<string> FinalStatesOtherThanTold(IReadOnlyList<RecordedCall> calls, CommittedHistory history)
    {
        var live = history.Enrollments.Values.Where(e => e.Status != EnrollmentStatus.Cancelled).ToLookup(e => (e.EventId, e.UserId));
        foreach (var walk in calls.Where(call => PersonKinds.Contains(call.Kind)).GroupBy(call => (call.EventId, call.UserId!.Value)))
        {
            var holds = Holding.Nothing;
            Guid? enrollmentId = null;
            foreach (var call in walk)
            {
                (holds, enrollmentId) = Implied(call, holds, enrollmentId);
            }

            var stored = live[walk.Key].ToList();
            if (stored.Count > 1)
            {
                yield return $"person {walk.Key.Item2} holds {stored.Count} live enrollments in event {walk.Key.EventId}";
            }
            else if (holds == Holding.Enrollment && stored.Count == 0 && history.Expired(enrollmentId!.Value))
            {
                // their offer ran out after their last call
            }
            else if (holds == Holding.Enrollment && stored.SingleOrDefault()?.Id != enrollmentId)
            {
                yield return $"person {walk.Key.Item2} was last told they hold {enrollmentId}; the database has {stored.SingleOrDefault()?.Id.ToString() ?? "none"}";
            }
            else if (holds == Holding.Nothing && stored.Count > 0)
            {
                yield return $"person {walk.Key.Item2} was last told they hold nothing; the database has {stored[0].Id} ({stored[0].Status.ToName()})";
            }
        }
    }

    private enum Holding
    {
        Nothing,
        Enrollment,
        Unknown,
    }

    private static (Holding, Guid?) Implied(RecordedCall call, Holding holds, Guid? enrollmentId) => call.Answer switch
    {
        _ when call.OutcomeUnknown => call.Kind is "enroll" or "cancel" ? (Holding.Unknown, null) : (holds, enrollmentId),
        _ when call.NothingWritten => (holds, enrollmentId),
        EnrollmentResult { Enrollment: { } enrollment } => (Holding.Enrollment, enrollment.Id),
        EnrollmentResult { Outcome: EnrollmentOutcome.EventFull } => (Holding.Nothing, null),
        TransitionResult { Outcome: TransitionOutcome.Done, Enrollment: { Status: not EnrollmentStatus.Cancelled } kept } => (Holding.Enrollment, kept.Id),
        TransitionResult { Outcome: TransitionOutcome.Done or TransitionOutcome.NotFound } => (Holding.Nothing, null),
        Enrollment read => (Holding.Enrollment, read.Id),
        null when call.Kind == "read" => (Holding.Nothing, null),
        _ => (holds, enrollmentId),
    };

    /// <summary>
    /// Waitlist positions follow arrival (the time each request reached its grain), and every promotion the system made
    /// (no actor) took whoever had waited longest; an admin's promotion may pick anyone.
    /// </summary>
    private static IEnumerable<string> OutOfArrivalOrder(CommittedHistory history)
    {
        foreach (var evt in history.Enrollments.Values.Where(e => e.WaitlistPosition is not null).GroupBy(e => e.EventId))
        {
            var byPosition = evt.OrderBy(e => e.WaitlistPosition).ToList();
            for (var i = 1; i < byPosition.Count; i++)
            {
                if (byPosition[i].CreatedAt < byPosition[i - 1].CreatedAt)
                {
                    yield return $"event {evt.Key}: position {byPosition[i].WaitlistPosition} arrived before position {byPosition[i - 1].WaitlistPosition}";
                }
            }
        }

        foreach (var evt in history.Audit.GroupBy(row => row.EventId))
        {
            var waiting = new SortedSet<int>();
            foreach (var row in evt)
            {
                var position = history.Enrollments[row.EnrollmentId].WaitlistPosition;
                if (row.From is null && row.To == EnrollmentStatus.Waitlisted)
                {
                    waiting.Add(position!.Value);
                }
                else if (row.From == EnrollmentStatus.Waitlisted)
                {
                    if (row.To is EnrollmentStatus.Confirmed or EnrollmentStatus.Offered && row.ActorId is null && waiting.Min != position)
                    {
                        yield return $"event {evt.Key}: the system {(row.To == EnrollmentStatus.Offered ? "offered a seat to" : "promoted")} position {position} while {waiting.Min} waited longer";
                    }

                    waiting.Remove(position!.Value);
                }
            }
        }
    }

    private static async Task WaitForTheOutboxToDrainAsync(NpgsqlDataSource dataSource, IReadOnlyList<Guid> eventIds, List<string> problems)
    {
        var clock = Stopwatch.StartNew();
        while (await UndispatchedAsync(dataSource, eventIds) is var left and > 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                problems.Add($"{left} domain event(s) still undispatched 90 s after the run");
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<long> UndispatchedAsync(NpgsqlDataSource dataSource, IReadOnlyList<Guid> eventIds)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM outbox_pending WHERE event_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = eventIds.ToArray() });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>One domain event per audit row, sequences 1..n, and each one the consumer handles notified exactly once.</summary>
    private static async Task<IEnumerable<string>> OutboxProblemsAsync(NpgsqlDataSource dataSource, IReadOnlyList<Guid> eventIds, CommittedHistory history)
    {
        var problems = new List<string>();
        foreach (var eventId in eventIds)
        {
            var transitions = history.Audit.Count(row => row.EventId == eventId);
            var clock = Stopwatch.StartNew();
            OutboxTally tally;
            while ((tally = await OutboxTally.ReadAsync(dataSource, eventId)).Notified < tally.Handled && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }

            if (tally.Rows != transitions || tally.Distinct != transitions || tally.MinSequence != Math.Min(1, transitions) || tally.MaxSequence != transitions)
            {
                problems.Add($"event {eventId}: {transitions} audit rows but outbox {tally}");
            }

            if (tally.Inbox != tally.Handled || tally.Notified != tally.Handled || tally.Notifications != tally.Handled)
            {
                problems.Add($"event {eventId}: {tally.Handled} domain events to notify, consumed {tally}");
            }
        }

        return problems;
    }

    private sealed record OutboxTally(long Rows, long Distinct, long MinSequence, long MaxSequence, long Handled, long Inbox, long Notifications, long Notified)
    {
        public static async Task<OutboxTally> ReadAsync(NpgsqlDataSource dataSource, Guid eventId)
        {
            await using var command = dataSource.CreateCommand(
                """
                SELECT count(*), count(DISTINCT sequence), coalesce(min(sequence), 0), coalesce(max(sequence), 0),
                       count(*) FILTER (WHERE type = ANY($2)),
                       (SELECT count(*) FROM inbox i JOIN outbox o ON o.id = i.message_id WHERE o.event_id = $1 AND i.consumer = $3),
                       (SELECT count(*) FROM notifications WHERE event_id = $1),
                       (SELECT count(DISTINCT source_message_id) FROM notifications WHERE event_id = $1)
                  FROM outbox WHERE event_id = $1
                """);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = eventId });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = EnrollmentNotificationConsumer.HandledEventTypes.ToArray() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EnrollmentNotificationConsumer.InboxName });
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new OutboxTally(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
        }
    }
}
