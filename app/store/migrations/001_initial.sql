-- 001: villages, households, persons, form records with history, attachments, person search.

CREATE TABLE villages (
    id          TEXT PRIMARY KEY,          -- 12-digit 统计用区划代码 when known, else a local id
    name        TEXT NOT NULL,
    town        TEXT NOT NULL DEFAULT '',
    county      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE households (
    id           TEXT PRIMARY KEY,
    village_id   TEXT NOT NULL REFERENCES villages(id),
    group_name   TEXT NOT NULL DEFAULT '',  -- 村民小组
    house_number TEXT NOT NULL DEFAULT '',  -- 门牌号
    address      TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX households_village ON households(village_id);

CREATE TABLE persons (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    id_number     TEXT NOT NULL DEFAULT '',
    sex           TEXT NOT NULL DEFAULT '',
    birth_date    TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,            -- elder / child / guardian / other
    categories    TEXT NOT NULL DEFAULT '[]',
    risk_tier     TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'active',
    status_reason TEXT NOT NULL DEFAULT '',
    village_id    TEXT REFERENCES villages(id),
    household_id  TEXT REFERENCES households(id),
    pinyin        TEXT NOT NULL DEFAULT '',  -- full pinyin, no tones
    initials      TEXT NOT NULL DEFAULT '',  -- pinyin initials: 张三 → zs
    id_rev        TEXT NOT NULL DEFAULT '',  -- last 6 ID characters reversed, for suffix search on an index
    phone_rev     TEXT NOT NULL DEFAULT '',
    last_visit    TEXT NOT NULL DEFAULT '',
    next_due      TEXT NOT NULL DEFAULT '',
    extra         TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX persons_village ON persons(village_id, next_due);
CREATE INDEX persons_name ON persons(name);
CREATE INDEX persons_initials ON persons(initials);
CREATE INDEX persons_id_rev ON persons(id_rev);
CREATE INDEX persons_phone_rev ON persons(phone_rev);
CREATE INDEX persons_household ON persons(household_id);

CREATE VIRTUAL TABLE persons_fts USING fts5(
    name, pinyin, content='persons', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER persons_ai AFTER INSERT ON persons BEGIN
    INSERT INTO persons_fts(rowid, name, pinyin) VALUES (new.rowid, new.name, new.pinyin);
END;
CREATE TRIGGER persons_ad AFTER DELETE ON persons BEGIN
    INSERT INTO persons_fts(persons_fts, rowid, name, pinyin) VALUES ('delete', old.rowid, old.name, old.pinyin);
END;
CREATE TRIGGER persons_au AFTER UPDATE OF name, pinyin ON persons BEGIN
    INSERT INTO persons_fts(persons_fts, rowid, name, pinyin) VALUES ('delete', old.rowid, old.name, old.pinyin);
    INSERT INTO persons_fts(rowid, name, pinyin) VALUES (new.rowid, new.name, new.pinyin);
END;

CREATE TABLE records (
    uuid           TEXT PRIMARY KEY,         -- made on the device
    form_id        TEXT NOT NULL,
    form_version   TEXT NOT NULL,
    person_id      TEXT REFERENCES persons(id),
    household_id   TEXT REFERENCES households(id),
    village_id     TEXT REFERENCES villages(id),
    status         TEXT NOT NULL CHECK (status IN ('draft','finalized','queued','sent','accepted','rejected')),
    revision       INTEGER NOT NULL DEFAULT 1,
    prev_revision  INTEGER,
    author         TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',  -- instance name shown in lists
    data           TEXT NOT NULL DEFAULT '{}',
    server_message TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX records_status ON records(status, updated_at);
CREATE INDEX records_form ON records(form_id, updated_at);
CREATE INDEX records_person ON records(person_id, updated_at);
CREATE INDEX records_village ON records(village_id, updated_at);

CREATE TABLE record_history (
    id          INTEGER PRIMARY KEY,
    record_uuid TEXT NOT NULL REFERENCES records(uuid),
    revision    INTEGER NOT NULL,
    changed_at  TEXT NOT NULL,
    author      TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT '[]'   -- [{"field", "old", "new"}]
);
CREATE INDEX record_history_record ON record_history(record_uuid, revision);

CREATE TABLE attachments (
    hash       TEXT PRIMARY KEY,             -- sha256 of the content
    size       INTEGER NOT NULL,
    mime       TEXT NOT NULL DEFAULT '',
    content    BLOB NOT NULL,                -- inside the encrypted database: encrypted at rest
    created_at TEXT NOT NULL
);

CREATE TABLE record_attachments (
    record_uuid TEXT NOT NULL REFERENCES records(uuid),
    name        TEXT NOT NULL,               -- the file name the record's data refers to
    hash        TEXT NOT NULL REFERENCES attachments(hash),
    PRIMARY KEY (record_uuid, name)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
