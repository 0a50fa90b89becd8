-- 009: account rows are signed (issue 17). With the data key anyone could edit `accounts` and make themselves an
-- administrator; each row now carries an Ed25519 signature over who it is, its role, villages and whether it is
-- active, made with a key only administrators' keyring slots hold (app/accounts.py). Rows made before are signed
-- at the first administrator sign-in. `phone` lets a password be refused for being the person's phone number.

ALTER TABLE accounts ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
