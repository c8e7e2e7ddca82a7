-- The ASP.NET Core data-protection key ring, shared by every web frontend: cookies and bearer tokens are encrypted
-- with these keys, so a token issued by one frontend is only readable by another that sees the same ring.
-- Append-only: the framework never changes a stored element; it adds new keys and revocations as new elements.
-- The keys are stored as the framework hands them over (no XML encryptor is configured): anyone who can read this
-- table can forge sessions, so the database's access control is what protects them.
CREATE TABLE data_protection_keys (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text        NOT NULL,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
