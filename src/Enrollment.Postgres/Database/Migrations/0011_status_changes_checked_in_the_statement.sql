-- A status change (cancel, check-in, attend, promote) moves a row only from the status its decider saw: the UPDATE
-- matches on (id, from_status), so a row that moved meanwhile is simply not matched. This function turns that count
-- into a refusal inside the statement itself, so the check holds in a one-round-trip batch too, where the writer
-- cannot look at the count before the batch commits.

CREATE FUNCTION expect_enrollments_moved(p_event_id uuid, p_moved bigint, p_expected integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_moved <> p_expected THEN
        RAISE EXCEPTION 'event %: % of % enrollment(s) were no longer in the status their decider saw',
                p_event_id, p_expected - p_moved, p_expected
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_moves_from_decided_status';
    END IF;
END $$;
