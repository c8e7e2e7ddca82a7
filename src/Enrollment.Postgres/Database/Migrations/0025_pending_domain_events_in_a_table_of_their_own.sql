-- Which domain events still wait for the bus moves out of the outbox row into a small table of its own.
--
-- Marking a domain event dispatched used to UPDATE its outbox row: a new version of the whole row (payload included),
-- new entries in every index of the outbox, and a dead row for vacuum, for every enrollment. It was 15–24 % of the
-- database's time under load. Now a committed domain event also gets a row in outbox_pending (written by the trigger
-- below, in the same statement, so no code path can commit an outbox row that nobody will dispatch), and marking it
-- dispatched deletes that row: no new row version and no index entry. The outbox itself becomes append-only.
--
-- outbox_pending holds only what waits, so it stays small however long the outbox grows: the relay's lookup of
-- overdue events and a reloading grain's lookup of what it has to emit read it instead of a partial index.

CREATE TABLE outbox_pending (
    event_id      uuid        NOT NULL,
    sequence      bigint      NOT NULL,
    -- when it started to wait: its commit, or the moment the consumption check released it again
    pending_since timestamptz NOT NULL,
    PRIMARY KEY (event_id, sequence)
);

-- keeps pending rows small and few: vacuum them often rather than let dead rows pile up under a high delete rate
ALTER TABLE outbox_pending SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000);

CREATE FUNCTION outbox_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_pending (event_id, sequence, pending_since)
    SELECT event_id, sequence, occurred_at FROM committed;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_rows_wait_for_the_bus AFTER INSERT ON outbox
    REFERENCING NEW TABLE AS committed FOR EACH STATEMENT EXECUTE FUNCTION outbox_after_insert();

-- The consumption check releases a dispatched domain event whose consumer never stored it. It waits ConsumedWithin
-- after the commit, and after its last release, before it releases the same one again (the bus may still be on it).
ALTER TABLE outbox ADD COLUMN released_at timestamptz NULL;

INSERT INTO outbox_pending (event_id, sequence, pending_since)
SELECT event_id, sequence, occurred_at FROM outbox WHERE dispatched_at IS NULL;

DROP INDEX outbox_undispatched;
DROP INDEX outbox_dispatched_by_occurred;
ALTER TABLE outbox DROP COLUMN dispatched_at;

-- The consumption check reads the outbox by commit time over a recent window. Rows are appended in commit order, so a
-- block-range index serves that range at almost no cost per insert (a B-tree would add an entry per enrollment).
CREATE INDEX outbox_by_occurred ON outbox USING brin (occurred_at) WITH (pages_per_range = 16);
