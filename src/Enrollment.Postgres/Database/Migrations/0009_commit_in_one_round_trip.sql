-- One round trip for a group's commit. The store replays the group's decisions against the policy row it last saw (at
-- the expected version) and sends the lock (this function), the writes and the commit as one batch: one implicit
-- transaction.
--
-- Having locked the row, this function refuses unless the row is exactly the one the store replayed against (every
-- column the replay reads, and the last outbox sequence). A refusal rolls the whole batch back; the writer then decides
-- the queue again while holding the row lock (DecideUnderLockAsync), which reads the real state.
-- The triggers of 0003 and 0006 still check every row as it lands, as for any writer.

CREATE FUNCTION lock_policy_as_expected(
    p_event_id               uuid,
    p_version                bigint,
    p_capacity               integer,
    p_has_waitlist           boolean,
    p_active_count           integer,
    p_last_waitlist_position integer,
    p_last_sequence          bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    policy        enrollment_policies%ROWTYPE;
    last_sequence bigint;
BEGIN
    SELECT * INTO policy FROM enrollment_policies WHERE event_id = p_event_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % has no enrollment policy', p_event_id
            USING ERRCODE = 'EN409';
    END IF;

    -- A statement of its own, so after waiting for the lock it sees every commit made before ours.
    SELECT coalesce(max(sequence), 0) INTO last_sequence FROM outbox WHERE event_id = p_event_id;

    IF policy.version <> p_version
       OR policy.capacity IS DISTINCT FROM p_capacity
       OR policy.has_waitlist <> p_has_waitlist
       OR policy.active_count <> p_active_count
       OR policy.last_waitlist_position <> p_last_waitlist_position
       OR last_sequence <> p_last_sequence THEN
        RAISE EXCEPTION 'event % is at version % (sequence %), the commit expected version % (sequence %)',
                p_event_id, policy.version, last_sequence, p_version, p_last_sequence
            USING ERRCODE = 'EN409';
    END IF;
END $$;
