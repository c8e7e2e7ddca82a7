-- Enrollments and their audit trail.
--
-- Constraints carry the invariants so the database refuses a wrong decision whoever makes it:
--   * one live enrollment per (event, user): a cancelled one no longer blocks enrolling again;
--   * a waitlist position is unique per event and never reused (positions are arrival order);
--   * a waiting enrollment always has its position; statuses are the five known names.

CREATE TABLE enrollments (
    id                uuid        PRIMARY KEY,
    event_id          uuid        NOT NULL REFERENCES events (id),
    user_id           uuid        NOT NULL,
    status            text        NOT NULL CONSTRAINT enrollments_status_known
                                  CHECK (status IN ('confirmed', 'waitlisted', 'checked_in', 'attended', 'cancelled')),
    waitlist_position integer     NULL CONSTRAINT enrollments_position_positive CHECK (waitlist_position > 0),
    request_id        uuid        NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT enrollments_waitlisted_has_position CHECK (status <> 'waitlisted' OR waitlist_position IS NOT NULL)
);

CREATE UNIQUE INDEX enrollments_one_live_per_user ON enrollments (event_id, user_id) WHERE status <> 'cancelled';
CREATE UNIQUE INDEX enrollments_unique_waitlist_position ON enrollments (event_id, waitlist_position);
CREATE INDEX enrollments_by_event_status ON enrollments (event_id, status);
CREATE INDEX enrollments_by_user ON enrollments (user_id);

CREATE TABLE enrollment_transitions (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrollment_id uuid        NOT NULL REFERENCES enrollments (id),
    event_id      uuid        NOT NULL,
    from_status   text        NULL CONSTRAINT enrollment_transitions_from_known
                              CHECK (from_status IN ('confirmed', 'waitlisted', 'checked_in', 'attended', 'cancelled')),
    to_status     text        NOT NULL CONSTRAINT enrollment_transitions_to_known
                              CHECK (to_status IN ('confirmed', 'waitlisted', 'checked_in', 'attended', 'cancelled')),
    reason        text        NOT NULL CONSTRAINT enrollment_transitions_reason_length CHECK (char_length(reason) <= 500),
    -- who caused the transition: the user or admin acting, or null for the system itself (promotions)
    actor_id      uuid        NULL,
    request_id    uuid        NULL,
    occurred_at   timestamptz NOT NULL
);

CREATE INDEX enrollment_transitions_by_enrollment ON enrollment_transitions (enrollment_id, id);
CREATE INDEX enrollment_transitions_by_event ON enrollment_transitions (event_id, id);
