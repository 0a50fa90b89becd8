-- 002: safety red flags travel with a record; a child's guardian and an elder's carer are linked persons.

ALTER TABLE records ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE persons ADD COLUMN guardian_id TEXT REFERENCES persons(id);
CREATE INDEX records_flags ON records(flags) WHERE flags != '[]';
