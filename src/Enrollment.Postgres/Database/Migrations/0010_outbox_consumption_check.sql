-- The consumption check (Notifications/NotificationConsumptionCheck) looks for domain events the bus took but no
-- consumer recorded in its inbox, among those committed within a recent window. This index keeps that pass
-- proportional to the window, not to the whole outbox.
--
-- Partial on dispatched_at IS NOT NULL: a row enters it when the bridge marks it dispatched (an UPDATE that already
-- touches the outbox_undispatched index), so the enrollment's own commit does not pay for one more index entry.

CREATE INDEX outbox_dispatched_by_occurred ON outbox (occurred_at) WHERE dispatched_at IS NOT NULL;
