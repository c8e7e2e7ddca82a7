-- Events people enroll in, and the one policy row per event that every decision locks.
--
-- The policy row is also where the event's counters live (active seats, waiting people, the last
-- waitlist position ever given, a version bumped on every change). The counters are kept by triggers on
-- enrollments (0003), never by application code, so that every writer, present or future, sees and
-- obeys the same numbers, and a decision is checked in O(1) under the row lock instead of by a count.

CREATE TABLE events (
    id          uuid        PRIMARY KEY,
    title       text        NOT NULL CONSTRAINT events_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    starts_at   timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enrollment_policies (
    event_id               uuid    PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    capacity               integer NULL CONSTRAINT enrollment_policies_capacity_non_negative CHECK (capacity >= 0),
    has_waitlist           boolean NOT NULL,
    active_count           integer NOT NULL DEFAULT 0 CONSTRAINT enrollment_policies_active_non_negative CHECK (active_count >= 0),
    waitlist_count         integer NOT NULL DEFAULT 0 CONSTRAINT enrollment_policies_waitlist_non_negative CHECK (waitlist_count >= 0),
    last_waitlist_position integer NOT NULL DEFAULT 0 CONSTRAINT enrollment_policies_position_non_negative CHECK (last_waitlist_position >= 0),
    version                bigint  NOT NULL DEFAULT 0,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
