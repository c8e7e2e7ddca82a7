-- Notifications by e-mail.
--
-- email_notifications: the person's choice; on by default, since the mails are about places they asked for. Mails
-- already in the outbox are sent even if it is turned off afterwards: the choice applies to what happens next.
-- mail_outbox.calendar: an iCalendar (RFC 5545) invitation sent with the mail as invite.ics, or null.

ALTER TABLE users ADD COLUMN email_notifications boolean NOT NULL DEFAULT true;

ALTER TABLE mail_outbox ADD COLUMN calendar text NULL;
