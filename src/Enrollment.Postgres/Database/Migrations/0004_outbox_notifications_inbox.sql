-- Domain events that are never lost, and the notifications they become.
--
-- outbox: every committed transition's domain event, written in the same transaction as the enrollment and its
-- audit row. The event's grain emits it after the commit; the bus bridge sets dispatched_at once the message
-- bus has it. The relay finds rows left undispatched (a crash, a failed emit) and has them emitted again, in
-- sequence order per event.

CREATE TABLE outbox (
    id            uuid        PRIMARY KEY,          -- the domain event id, also the bus message id
    event_id      uuid        NOT NULL REFERENCES events (id),
    sequence      bigint      NOT NULL CONSTRAINT outbox_sequence_positive CHECK (sequence > 0),
    type          text        NOT NULL,
    payload       jsonb       NOT NULL,
    occurred_at   timestamptz NOT NULL,
    dispatched_at timestamptz NULL,
    CONSTRAINT outbox_one_sequence_per_event UNIQUE (event_id, sequence)
);

-- the relay's and a reloading grain's working set stays small however long the outbox grows
CREATE INDEX outbox_undispatched ON outbox (event_id, sequence) WHERE dispatched_at IS NULL;

-- notifications: what users are told ("You are confirmed for …"), one row per consumed domain event
CREATE TABLE notifications (
    id                uuid        PRIMARY KEY,
    user_id           uuid        NOT NULL,
    event_id          uuid        NOT NULL REFERENCES events (id),
    enrollment_id     uuid        NULL,
    kind              text        NOT NULL,
    message           text        NOT NULL,
    source_message_id uuid        NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    read_at           timestamptz NULL
);

CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC);

-- inbox: the bus delivers at least once, so each consumer records the message ids it has handled, in the same
-- transaction as its effect, and skips a redelivery.
CREATE TABLE inbox (
    consumer     text        NOT NULL,
    message_id   uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
