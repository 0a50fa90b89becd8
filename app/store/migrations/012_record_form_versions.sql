-- 012: the versions of a form its records were filled with (an export's columns are the union of those versions'
-- questions, app/store/exports.py record_versions), read from an index alone: without it each export read and
-- decrypted every record of the form once more before writing a row (about a fifth of a 50,000-record export).
-- The form index takes the version at its end rather than a new index beside it: a saved record still writes the
-- same number of index pages (each one encrypted and signed).

DROP INDEX records_form;
CREATE INDEX records_form ON records(form_id, updated_at, form_version);
