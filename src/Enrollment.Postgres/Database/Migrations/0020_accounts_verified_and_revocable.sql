-- Accounts prove their address and can be revoked.
--
-- email_verified_at: set when the owner follows the link mailed to the address (or resets the password by mail).
-- Until then nobody knows who owns the address, so the admin role is never given to such an account (the check
-- below holds it for every writer) and, with Enrollment:RequireVerifiedEmail, it cannot enroll.
-- security_stamp: replaced on every change that must end existing sessions (password, role, "sign out everywhere");
-- sessions and bearer tokens carry the stamp they were issued with and are refused once it differs.
-- is_demo: the development demo accounts; a host outside Development refuses to start while one exists.

ALTER TABLE users
    ADD COLUMN email_verified_at timestamptz NULL,
    ADD COLUMN security_stamp    uuid        NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN is_demo           boolean     NOT NULL DEFAULT false;

-- No account has proved its address yet, so none may keep a stored admin flag (an address named in Enrollment:Admins
-- could have been registered by anyone). The first admin comes from Enrollment:BootstrapAdmin.
UPDATE users SET is_admin = false WHERE is_admin;

ALTER TABLE users ADD CONSTRAINT users_admin_is_verified CHECK (NOT is_admin OR email_verified_at IS NOT NULL);

-- One-time links mailed to an address: confirm it, or set a new password. Only a hash of the token is stored, so a
-- reader of this table cannot use a link.
CREATE TABLE account_tokens (
    token_hash bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CONSTRAINT account_tokens_purpose_known CHECK (purpose IN ('confirm_email', 'reset_password')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);
