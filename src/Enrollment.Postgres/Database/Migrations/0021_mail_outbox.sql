-- Mails waiting to be sent. A mail is written here in the transaction of what caused it (a registration, a reset), and
-- a dispatcher sends it over SMTP: a mail the server cannot take now is retried later, never lost. The dispatcher
-- holds a row's lock while it sends, so two dispatchers never send one mail; id is also the mail's Message-ID, so a
-- mail sent again after a crash between the SMTP server's acceptance and sent_at is recognisably the same mail.

CREATE TABLE mail_outbox (
    id              uuid        PRIMARY KEY,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text        NULL,
    sent_at         timestamptz NULL
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
