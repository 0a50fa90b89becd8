-- 005: rosters imported from spreadsheets (`cunfang import`, 导入名册…). Each import is one batch that can be
-- undone as a whole: which persons and households it added, and for the persons it updated, each changed field's
-- value before and after, so undoing restores exactly what the import changed.

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    sheet       TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',     -- elder / child / '' (from each row)
    form_id     TEXT NOT NULL DEFAULT '',     -- the registry form whose persons were imported, if one was named
    author      TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    added       INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    refused     INTEGER NOT NULL DEFAULT 0,
    mapping     TEXT NOT NULL DEFAULT '{}',   -- {"column header": "field"}
    undone_at   TEXT NOT NULL DEFAULT ''
);

-- No foreign key to persons: undoing an import deletes the persons it added and keeps this history.
CREATE TABLE import_persons (
    import_id  INTEGER NOT NULL REFERENCES imports(id),
    person_id  TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('added', 'updated')),
    source_row INTEGER NOT NULL,              -- the row number in the spreadsheet
    changes    TEXT NOT NULL DEFAULT '{}',    -- updated: {"field": [before, after]}; extra keys as "extra.key"
    PRIMARY KEY (import_id, person_id)
);
CREATE INDEX import_persons_person ON import_persons(person_id);

CREATE TABLE import_households (
    import_id    INTEGER NOT NULL REFERENCES imports(id),
    household_id TEXT NOT NULL,
    PRIMARY KEY (import_id, household_id)
);
