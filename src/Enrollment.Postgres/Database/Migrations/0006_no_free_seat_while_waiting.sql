-- After every committed decision no seat stays free while someone waits: a freed seat goes to the head of the
-- waitlist in the same transaction that frees it, and so do seats a raised capacity adds.
--
-- Checked at COMMIT (a deferred constraint trigger), because inside a decision the policy row passes through states
-- that break it for a moment (capacity raised, promotions not yet written). The function reads the row as it is at
-- commit, not as the update that queued the check left it.

CREATE FUNCTION enrollment_policies_seats_filled() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    policy enrollment_policies%ROWTYPE;
BEGIN
    SELECT * INTO policy FROM enrollment_policies WHERE event_id = NEW.event_id;
    IF FOUND AND policy.waitlist_count > 0 AND (policy.capacity IS NULL OR policy.active_count < policy.capacity) THEN
        RAISE EXCEPTION 'event % would commit with % free seat(s) while % people wait',
                NEW.event_id, coalesce((policy.capacity - policy.active_count)::text, 'unlimited'), policy.waitlist_count
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_no_free_seat_while_waiting';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER enrollment_policies_no_free_seat_while_waiting
    AFTER INSERT OR UPDATE ON enrollment_policies
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION enrollment_policies_seats_filled();
