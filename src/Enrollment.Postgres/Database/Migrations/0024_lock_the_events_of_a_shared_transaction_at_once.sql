-- A shared transaction (several events' groups committed together) locks all its events in one statement instead of
-- one lock_policy_as_expected call per event: with groups of one enrollment over many events, the per-statement cost
-- was most of what the database spent. The events come in the committer's order (the same in every committer, so two
-- shared transactions cannot wait for each other in a cycle), and each is checked exactly as lock_policy_as_expected
-- checks it; the first that is not as expected refuses the whole transaction with EN409.

CREATE FUNCTION lock_policies_as_expected(
    p_event_ids               uuid[],
    p_versions                bigint[],
    p_capacities              integer[],
    p_has_waitlists           boolean[],
    p_active_counts           integer[],
    p_last_waitlist_positions integer[],
    p_last_sequences          bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- One call per event, each a statement of its own: after waiting for an event's lock, its reads see every commit
    -- made before ours (READ COMMITTED takes a new snapshot per statement of a volatile function).
    FOR i IN 1 .. coalesce(array_length(p_event_ids, 1), 0) LOOP
        PERFORM lock_policy_as_expected(p_event_ids[i], p_versions[i], p_capacities[i], p_has_waitlists[i],
                                        p_active_counts[i], p_last_waitlist_positions[i], p_last_sequences[i]);
    END LOOP;
END $$;
