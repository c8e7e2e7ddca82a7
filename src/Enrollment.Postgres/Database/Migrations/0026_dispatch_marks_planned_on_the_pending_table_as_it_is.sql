-- Marking domain events dispatched, and reading what an event still has to emit, go through functions that plan their
-- statement at every call.
--
-- The mark was a plain statement, and Npgsql prepares the statements it runs often. PostgreSQL then settles on a
-- generic plan after five runs, costed on the statistics of that moment, and outbox_pending is empty most of the time
-- (it holds only what waits for the bus, a few hundred rows at most while the bus keeps up). On an empty table the
-- cheapest plan hashes the whole table and probes it with the marked ids; the plan stays cached on the connection
-- while the table grows, so once the bus falls behind (an outage, or a spike beyond what the bridges publish) every
-- mark reads every waiting row: 70 ms per mark with 200,000 waiting against 2.5 ms by the primary key, and the slower
-- the marks the longer the backlog. An open-loop bench run beyond capacity had marks time out after 30 s that way.
-- A grain's read of its own waiting domain events (at activation, and when the relay has it emit again after an
-- outage) fell into the same trap: a scan of the whole backlog per event, 23 ms per read with 200,000 waiting.
--
-- A SQL function's statements are planned when it runs, on the table's size at that moment (PostgreSQL 18 caches
-- them too, hence force_custom_plan): a small table still gets the cheap hash, a long backlog its index probes. One
-- planning per call: a mark covers every domain event the silo's bridges handed in meanwhile, and a read is a grain's
-- activation or re-emission, not a per-enrollment step.
CREATE FUNCTION mark_events_dispatched(event_ids uuid[], sequences bigint[]) RETURNS void
    LANGUAGE sql
    SET plan_cache_mode = force_custom_plan
AS $$
    DELETE FROM outbox_pending p
     USING unnest(event_ids, sequences) AS d(event_id, sequence)
     WHERE p.event_id = d.event_id AND p.sequence = d.sequence
$$;

CREATE FUNCTION undispatched_events(of_event uuid, after_sequence bigint, max_rows integer)
    RETURNS TABLE (type text, payload text)
    LANGUAGE sql STABLE
    SET plan_cache_mode = force_custom_plan
AS $$
    SELECT o.type, o.payload::text
      FROM outbox_pending p
      JOIN outbox o ON o.event_id = p.event_id AND o.sequence = p.sequence
     WHERE p.event_id = of_event AND p.sequence > after_sequence
     ORDER BY p.sequence
     LIMIT max_rows
$$;
