using Npgsql;
using OrleansEnrollment.Enrollments;

namespace OrleansEnrollment.Database;

/// <summary>
/// The normal commit: one round trip per group of decisions, and one transaction for the groups of several events
/// that wait at the same moment (<see cref="SharedCommitter"/>). The batch starts with
/// <c>lock_policies_as_expected</c> (migrations 0009 and 0024), which locks each event's policy row and refuses unless
/// it is exactly the row its group was decided on; then the groups' statements, each group in decision order, one
/// statement per kind for all the events (<see cref="DecisionStatements"/>); then the rows as written. A batch is one
/// implicit transaction, committed when the server reaches its end, so a refusal anywhere writes nothing.
/// </summary>
internal sealed class CommitIfUnchanged
{
    /// <summary>SQLSTATE of <c>lock_policy_as_expected</c>'s refusal (a code of our own, so it is no backstop's).</summary>
    public const string NotAsDecidedOn = "EN409";

    private readonly NpgsqlDataSource dataSource;
    private readonly SharedCommitter committer;

    public CommitIfUnchanged(NpgsqlDataSource dataSource, int committers)
    {
        this.dataSource = dataSource;
        committer = new SharedCommitter(committers, CommitTogetherAsync);
    }

    /// <summary>Transactions that carried more than one event's group (for tests and curiosity).</summary>
    public long SharedTransactions => committer.SharedTransactions;

    public Task<CommitResult> CommitAsync(Guid eventId, PolicyRow decidedOn, DecisionWrite write) =>
        committer.CommitAsync(new PendingCommit(eventId, decidedOn, write));

    /// <summary>Commits these events' groups in one transaction and answers each.</summary>
    private async Task CommitTogetherAsync(IReadOnlyList<PendingCommit> commits)
    {
        try
        {
            var rows = await ExecuteAsync(commits);
            for (var i = 0; i < commits.Count; i++)
            {
                commits[i].Answer.TrySetResult(new CommitResult.Committed(rows[i]));
            }
        }
        catch (PostgresException exception) when (commits.Count > 1 && Refusal(exception) is not null)
        {
            // The whole transaction rolled back. A refusal belongs to one event: each is committed again on its own,
            // so the refused one gets its own answer and the others are not failed by it.
            foreach (var commit in commits)
            {
                await CommitTogetherAsync([commit]);
            }
        }
        catch (PostgresException exception) when (Refusal(exception) is { } refused)
        {
            commits[0].Answer.TrySetResult(refused);
        }
        catch (Exception exception)
        {
            // Lost connection, timeout, deadlock: the one transaction either committed for all of them or for none,
            // and each grain finds out which with a fenced read of its own event.
            foreach (var commit in commits)
            {
                commit.Answer.TrySetException(exception);
            }
        }
    }

    internal static CommitResult.Refused? Refusal(PostgresException exception) => exception.SqlState switch
    {
        NotAsDecidedOn => new CommitResult.Refused(RefusalReasons.StaleState, exception.MessageText),
        _ when IsBackstop(exception) => new CommitResult.Refused(
            exception.ConstraintName ?? exception.SqlState, $"refused by the database: {exception.ConstraintName ?? exception.SqlState}: {exception.MessageText}"),
        _ => null,
    };

    private static bool IsBackstop(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.CheckViolation or PostgresErrorCodes.ForeignKeyViolation;

    private async Task<PolicyRow[]> ExecuteAsync(IReadOnlyList<PendingCommit> commits)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        // No NpgsqlTransaction: the statements of a batch run in one implicit transaction.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(LockAsDecidedOn(commits));
        DecisionStatements.AddTo(batch, [.. commits.Select(commit => new EventWrite(commit.EventId, commit.Write))]);
        batch.BatchCommands.Add(PolicyRows.AfterWrites([.. commits.Select(commit => commit.EventId)]));

        // Only the policy rows have columns (the lock function is selected FROM), one per event, in order.
        var rows = await PolicyRows.ReadAllAsync(batch, CancellationToken.None);
        return rows.Count == commits.Count
            ? [.. rows]
            : throw new InvalidOperationException("A policy row vanished inside its own transaction.");
    }

    // In the committer's order (SharedCommitter sorts the events), the same in every transaction that locks several.
    private static NpgsqlBatchCommand LockAsDecidedOn(IReadOnlyList<PendingCommit> commits) => new(
        "SELECT FROM lock_policies_as_expected($1, $2, $3, $4, $5, $6, $7)")
    {
        Parameters =
        {
            new NpgsqlParameter<Guid[]> { TypedValue = [.. commits.Select(commit => commit.EventId)] },
            new NpgsqlParameter<long[]> { TypedValue = [.. commits.Select(commit => commit.DecidedOn.Version)] },
            new NpgsqlParameter<int?[]> { TypedValue = [.. commits.Select(commit => commit.DecidedOn.Policy.Capacity)] },
            new NpgsqlParameter<bool[]> { TypedValue = [.. commits.Select(commit => commit.DecidedOn.Policy.HasWaitlist)] },
            new NpgsqlParameter<int[]> { TypedValue = [.. commits.Select(commit => commit.DecidedOn.ActiveCount)] },
            new NpgsqlParameter<int[]> { TypedValue = [.. commits.Select(commit => commit.DecidedOn.LastWaitlistPosition)] },
            new NpgsqlParameter<long[]> { TypedValue = [.. commits.Select(commit => commit.DecidedOn.LastEventSequence)] },
        },
    };
}
