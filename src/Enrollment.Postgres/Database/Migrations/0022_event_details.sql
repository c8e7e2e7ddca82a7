-- What people read about an event before they enroll: what it is, where, until when, and the time zone its times are
-- meant in (an IANA name such as Europe/Paris), so pages can say "18:00 in Paris" rather than "17:00 UTC".
--
-- The web front and EventCatalog check these first and answer a 400 naming the field (EventDetails.Problems is the
-- original rule); the constraints below hold the same limits for every writer. The time zone is checked against the
-- application's zone database only: PostgreSQL's may differ in version, and a CHECK cannot look names up anyway.
-- Existing events get an empty description and location, no end, and UTC, which is how their times were shown.

ALTER TABLE events
    ADD COLUMN description text        NOT NULL DEFAULT ''
        CONSTRAINT events_description_length CHECK (char_length(description) <= 4000),
    ADD COLUMN location    text        NOT NULL DEFAULT ''
        CONSTRAINT events_location_length CHECK (char_length(location) <= 200),
    -- a location is one line; a description keeps its line breaks
    ADD CONSTRAINT events_location_one_line CHECK (location !~ '[\r\n]'),
    ADD COLUMN ends_at     timestamptz NULL,
    ADD CONSTRAINT events_end_after_start CHECK (ends_at IS NULL OR ends_at > starts_at),
    ADD COLUMN time_zone   text        NOT NULL DEFAULT 'UTC'
        CONSTRAINT events_time_zone_name CHECK (time_zone ~ '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$' AND char_length(time_zone) <= 64);
