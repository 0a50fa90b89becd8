-- 004: sync with the bureau server. What the server last acknowledged, per record and per registry row;
-- form versions pulled from the server; the per-record results of each sync, for the 同步 page.

-- base_revision: the server's revision of the record (NULL: never acknowledged);
-- sync_outcome: accepted / duplicate / conflict / rejected / retry / packaged.
ALTER TABLE records ADD COLUMN base_revision INTEGER;
ALTER TABLE records ADD COLUMN sync_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN synced_at TEXT NOT NULL DEFAULT '';
CREATE INDEX records_outbox ON records(status, sync_outcome) WHERE status IN ('finalized', 'queued', 'sent');

-- A registry row is "dirty" until the server has it. Any local change marks it dirty again: the triggers fire
-- on every update that leaves server_seq alone, which a pull or a push acknowledgement never does.
ALTER TABLE villages ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE villages ADD COLUMN dirty INTEGER NOT NULL DEFAULT 1;
ALTER TABLE villages ADD COLUMN server_seq INTEGER;
ALTER TABLE households ADD COLUMN dirty INTEGER NOT NULL DEFAULT 1;
ALTER TABLE households ADD COLUMN server_seq INTEGER;
ALTER TABLE persons ADD COLUMN dirty INTEGER NOT NULL DEFAULT 1;
ALTER TABLE persons ADD COLUMN server_seq INTEGER;
CREATE INDEX villages_dirty ON villages(dirty) WHERE dirty = 1;
CREATE INDEX households_dirty ON households(dirty) WHERE dirty = 1;
CREATE INDEX persons_dirty ON persons(dirty) WHERE dirty = 1;

CREATE TRIGGER villages_dirty_on_change AFTER UPDATE ON villages
WHEN new.dirty = 0 AND new.server_seq IS old.server_seq BEGIN
    UPDATE villages SET dirty = 1 WHERE id = new.id;
END;
CREATE TRIGGER households_dirty_on_change AFTER UPDATE ON households
WHEN new.dirty = 0 AND new.server_seq IS old.server_seq BEGIN
    UPDATE households SET dirty = 1 WHERE id = new.id;
END;
CREATE TRIGGER persons_dirty_on_change AFTER UPDATE ON persons
WHEN new.dirty = 0 AND new.server_seq IS old.server_seq BEGIN
    UPDATE persons SET dirty = 1 WHERE id = new.id;
END;

CREATE TABLE forms (
    form_id     TEXT NOT NULL,
    version     TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    content     BLOB NOT NULL,
    sha256      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);

CREATE TABLE sync_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    record_uuid TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_log_at ON sync_log(at);
