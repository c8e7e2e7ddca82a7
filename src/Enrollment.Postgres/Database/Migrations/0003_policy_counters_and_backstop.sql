-- The backstop: triggers that keep each event's counters in its policy row and refuse, inside the
-- writing transaction, any change that breaks the decision rule:
--   * more active enrollments than the capacity (only when the change adds active ones, so lowering
--     a capacity below the current count evicts nobody);
--   * a new waitlist position that is not exactly the next ones in arrival order;
--   * a new waiting enrollment while a seat is free, or on an event that keeps no waitlist;
--   * changing a position once given (arrival order is permanent).
-- Statement-level triggers with transition tables fire once per statement, so a batch of a hundred
-- enrollments costs one policy update, not a hundred.

CREATE FUNCTION apply_enrollment_change(
    p_event_id      uuid,
    p_active_delta  integer,
    p_waiting_delta integer,
    p_new_positions integer,
    p_min_position  integer,
    p_max_position  integer,
    p_new_waiting   integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    policy enrollment_policies%ROWTYPE;
BEGIN
    UPDATE enrollment_policies
       SET active_count           = active_count + p_active_delta,
           waitlist_count         = waitlist_count + p_waiting_delta,
           last_waitlist_position = last_waitlist_position + p_new_positions,
           version                = version + 1,
           updated_at             = now()
     WHERE event_id = p_event_id
    RETURNING * INTO policy;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'event % has no enrollment policy', p_event_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'enrollment_policy_exists';
    END IF;

    IF p_active_delta > 0 AND policy.capacity IS NOT NULL AND policy.active_count > policy.capacity THEN
        RAISE EXCEPTION 'event % would have % active enrollments for a capacity of %',
                p_event_id, policy.active_count, policy.capacity
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_capacity';
    END IF;

    -- Positions are unique (index), so "n new ones whose min and max are last+1 and last+n" means
    -- exactly the next n positions.
    IF p_new_positions > 0 AND (p_max_position <> policy.last_waitlist_position
                                OR p_min_position <> policy.last_waitlist_position - p_new_positions + 1) THEN
        RAISE EXCEPTION 'event % got waitlist positions % to % but the next free position was %',
                p_event_id, p_min_position, p_max_position, policy.last_waitlist_position - p_new_positions + 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_waitlist_fifo';
    END IF;

    IF p_new_waiting > 0 AND (NOT policy.has_waitlist
                              OR policy.capacity IS NULL
                              OR policy.active_count < policy.capacity) THEN
        RAISE EXCEPTION 'event % cannot put people on a waitlist now (waitlist %, % of % seats taken)',
                p_event_id, policy.has_waitlist, policy.active_count, coalesce(policy.capacity::text, 'unlimited')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_waitlist_only_when_full';
    END IF;
END $$;

CREATE FUNCTION enrollments_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        SELECT event_id,
               count(*) FILTER (WHERE status IN ('confirmed', 'checked_in', 'attended'))::int AS active_delta,
               count(*) FILTER (WHERE status = 'waitlisted')::int                             AS waiting_delta,
               count(waitlist_position)::int                                                  AS new_positions,
               min(waitlist_position)                                                         AS min_position,
               max(waitlist_position)                                                         AS max_position
          FROM inserted
         GROUP BY event_id
         ORDER BY event_id  -- a fixed lock order across events, so two batches cannot deadlock
    LOOP
        PERFORM apply_enrollment_change(change.event_id, change.active_delta, change.waiting_delta,
                                        change.new_positions, change.min_position, change.max_position,
                                        change.waiting_delta);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION enrollments_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    IF EXISTS (SELECT 1 FROM before_rows b JOIN after_rows a USING (id)
                WHERE a.event_id <> b.event_id
                   OR (b.waitlist_position IS NOT NULL AND a.waitlist_position IS DISTINCT FROM b.waitlist_position)) THEN
        RAISE EXCEPTION 'an enrollment cannot move to another event or change its waitlist position'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_arrival_order_permanent';
    END IF;

    FOR change IN
        SELECT a.event_id,
               (count(*) FILTER (WHERE a.status IN ('confirmed', 'checked_in', 'attended'))
                - count(*) FILTER (WHERE b.status IN ('confirmed', 'checked_in', 'attended')))::int AS active_delta,
               (count(*) FILTER (WHERE a.status = 'waitlisted')
                - count(*) FILTER (WHERE b.status = 'waitlisted'))::int                             AS waiting_delta,
               count(*) FILTER (WHERE b.waitlist_position IS NULL AND a.waitlist_position IS NOT NULL)::int AS new_positions,
               min(a.waitlist_position) FILTER (WHERE b.waitlist_position IS NULL)                  AS min_position,
               max(a.waitlist_position) FILTER (WHERE b.waitlist_position IS NULL)                  AS max_position,
               count(*) FILTER (WHERE a.status = 'waitlisted' AND b.status <> 'waitlisted')::int    AS new_waiting
          FROM before_rows b
          JOIN after_rows a USING (id)
         GROUP BY a.event_id
         ORDER BY a.event_id
    LOOP
        PERFORM apply_enrollment_change(change.event_id, change.active_delta, change.waiting_delta,
                                        change.new_positions, change.min_position, change.max_position,
                                        change.new_waiting);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION enrollments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        SELECT event_id,
               count(*) FILTER (WHERE status IN ('confirmed', 'checked_in', 'attended'))::int AS active_delta,
               count(*) FILTER (WHERE status = 'waitlisted')::int                             AS waiting_delta
          FROM deleted
         GROUP BY event_id
         ORDER BY event_id
    LOOP
        -- a deleted event's policy row may be gone already (cascade); nothing left to count then
        IF EXISTS (SELECT 1 FROM enrollment_policies WHERE event_id = change.event_id) THEN
            PERFORM apply_enrollment_change(change.event_id, -change.active_delta, -change.waiting_delta, 0, NULL, NULL, 0);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER enrollments_count_inserts AFTER INSERT ON enrollments
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION enrollments_after_insert();
CREATE TRIGGER enrollments_count_updates AFTER UPDATE ON enrollments
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows FOR EACH STATEMENT EXECUTE FUNCTION enrollments_after_update();
CREATE TRIGGER enrollments_count_deletes AFTER DELETE ON enrollments
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION enrollments_after_delete();
