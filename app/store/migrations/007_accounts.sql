-- 007: local accounts (issue 9). The password never lives here: each account's password seals the data key in
-- keyring.json (argon2id + AES-GCM), which is what checks it. This table holds who the account is, its role and
-- the villages it answers for. Records remember which account made them, so a village cadre sees their own
-- records even before a village is chosen for them.

CREATE TABLE accounts (
    login       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    villages    TEXT NOT NULL DEFAULT '[]',   -- JSON list of village ids; ["*"] for every village
    active      INTEGER NOT NULL DEFAULT 1,
    must_change INTEGER NOT NULL DEFAULT 0,   -- set by an administrator's reset: change the password on next login
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);

ALTER TABLE records ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
