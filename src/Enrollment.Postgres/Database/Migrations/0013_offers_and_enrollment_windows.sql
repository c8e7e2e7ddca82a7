-- Offers and enrollment windows.
--
-- A policy may hold a freed seat for the head of the waitlist instead of confirming them at once: the enrollment
-- becomes 'offered', holds its seat (offered counts in active_count, "seats held", like confirmed, checked_in and
-- attended) until the person accepts (→ confirmed), declines or lets the deadline pass (→ cancelled). The policy also
-- carries when enrolling opens and closes, and when a full event stops taking people onto its waitlist; those are
-- judged by the deciding grain at the time of the request (the database has no notion of "the time of the request").
--
-- The backstop learns the new status, for any writer:
--   * seats held ≤ capacity: the counting triggers of 0003 count 'offered' as a seat (replaced below);
--   * an offer always has its deadline, and comes from the waitlist (it keeps its position as history);
--   * offers go in arrival order: nobody still waiting may have arrived before someone offered in the same statement;
--   * the lifecycle of 0012 gains waitlisted → offered, offered → confirmed and offered → cancelled.

ALTER TABLE enrollment_policies
    ADD COLUMN promotion          text        NOT NULL DEFAULT 'automatic'
        CONSTRAINT enrollment_policies_promotion_known CHECK (promotion IN ('automatic', 'offer')),
    ADD COLUMN claim_window       interval    NULL,
    ADD COLUMN opens_at           timestamptz NULL,
    ADD COLUMN closes_at          timestamptz NULL,
    ADD COLUMN waitlist_closes_at timestamptz NULL,
    ADD CONSTRAINT enrollment_policies_offer_claim_window CHECK (
        (promotion = 'offer') = (claim_window IS NOT NULL)
        AND (claim_window IS NULL OR claim_window BETWEEN interval '1 second' AND interval '30 days')),
    ADD CONSTRAINT enrollment_policies_window_order CHECK (opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at);

ALTER TABLE enrollments
    DROP CONSTRAINT enrollments_status_known,
    ADD CONSTRAINT enrollments_status_known
        CHECK (status IN ('confirmed', 'waitlisted', 'checked_in', 'attended', 'cancelled', 'offered')),
    ADD COLUMN offer_expires_at timestamptz NULL,
    ADD CONSTRAINT enrollments_offer_has_deadline CHECK (status <> 'offered' OR offer_expires_at IS NOT NULL),
    ADD CONSTRAINT enrollments_offer_has_position CHECK (status <> 'offered' OR waitlist_position IS NOT NULL);

ALTER TABLE enrollment_transitions
    DROP CONSTRAINT enrollment_transitions_from_known,
    ADD CONSTRAINT enrollment_transitions_from_known
        CHECK (from_status IN ('confirmed', 'waitlisted', 'checked_in', 'attended', 'cancelled', 'offered')),
    DROP CONSTRAINT enrollment_transitions_to_known,
    ADD CONSTRAINT enrollment_transitions_to_known
        CHECK (to_status IN ('confirmed', 'waitlisted', 'checked_in', 'attended', 'cancelled', 'offered'));

-- The expiry poller's question, "which events hold an offer past its deadline?", answered from a small index.
CREATE INDEX enrollments_offers_by_deadline ON enrollments (offer_expires_at) WHERE status = 'offered';
-- The head of an event's waitlist, for the arrival-order check of offers below.
CREATE INDEX enrollments_waiting_by_position ON enrollments (event_id, waitlist_position) WHERE status = 'waitlisted';

-- The statuses that hold a seat; one definition for the counting triggers.
CREATE FUNCTION enrollment_holds_seat(p_status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT p_status IN ('confirmed', 'checked_in', 'attended', 'offered')
$$;

CREATE OR REPLACE FUNCTION enrollments_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        SELECT event_id,
               count(*) FILTER (WHERE enrollment_holds_seat(status))::int AS active_delta,
               count(*) FILTER (WHERE status = 'waitlisted')::int       AS waiting_delta,
               count(waitlist_position)::int                            AS new_positions,
               min(waitlist_position)                                   AS min_position,
               max(waitlist_position)                                   AS max_position
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

CREATE OR REPLACE FUNCTION enrollments_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
               (count(*) FILTER (WHERE enrollment_holds_seat(a.status))
                - count(*) FILTER (WHERE enrollment_holds_seat(b.status)))::int                  AS active_delta,
               (count(*) FILTER (WHERE a.status = 'waitlisted')
                - count(*) FILTER (WHERE b.status = 'waitlisted'))::int                         AS waiting_delta,
               count(*) FILTER (WHERE b.waitlist_position IS NULL AND a.waitlist_position IS NOT NULL)::int AS new_positions,
               min(a.waitlist_position) FILTER (WHERE b.waitlist_position IS NULL)              AS min_position,
               max(a.waitlist_position) FILTER (WHERE b.waitlist_position IS NULL)              AS max_position,
               count(*) FILTER (WHERE a.status = 'waitlisted' AND b.status <> 'waitlisted')::int AS new_waiting,
               max(a.waitlist_position) FILTER (WHERE a.status = 'offered' AND b.status = 'waitlisted') AS last_offered
          FROM before_rows b
          JOIN after_rows a USING (id)
         GROUP BY a.event_id
         ORDER BY a.event_id
    LOOP
        PERFORM apply_enrollment_change(change.event_id, change.active_delta, change.waiting_delta,
                                        change.new_positions, change.min_position, change.max_position,
                                        change.new_waiting);
        IF change.last_offered IS NOT NULL AND EXISTS (
                SELECT 1 FROM enrollments w
                 WHERE w.event_id = change.event_id AND w.status = 'waitlisted' AND w.waitlist_position < change.last_offered) THEN
            RAISE EXCEPTION 'event %: a seat was offered to position % while someone who arrived earlier still waits',
                    change.event_id, change.last_offered
                USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_offers_in_arrival_order';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION enrollments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change record;
BEGIN
    FOR change IN
        SELECT event_id,
               count(*) FILTER (WHERE enrollment_holds_seat(status))::int AS active_delta,
               count(*) FILTER (WHERE status = 'waitlisted')::int       AS waiting_delta
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

CREATE OR REPLACE FUNCTION enrollments_follow_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT b.id, b.status AS from_status, a.status AS to_status INTO bad
      FROM before_rows b
      JOIN after_rows a USING (id)
     WHERE a.status <> b.status
       AND (b.status, a.status) NOT IN (('waitlisted', 'confirmed'), ('waitlisted', 'cancelled'), ('waitlisted', 'offered'),
                                        ('offered', 'confirmed'), ('offered', 'cancelled'),
                                        ('confirmed', 'checked_in'), ('confirmed', 'cancelled'),
                                        ('checked_in', 'attended'))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'enrollment % cannot move from % to %', bad.id, bad.from_status, bad.to_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enrollment_follows_lifecycle';
    END IF;
    RETURN NULL;
END $$;
