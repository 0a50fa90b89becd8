-- 011: the versions of a form its records were filled with (an export's columns are the union of those versions'
-- questions, app/store/exports.py record_versions), read from the index alone: without it each export read and
-- decrypted every record of the form once more before writing a row (about a fifth of a 50,000-record export).

CREATE INDEX records_form_version ON records(form_id, form_version);
