"""Server migration 0003: records filed under the village "*" (before issue 16) take their person's village."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from sync.server.db import MIGRATIONS, make_engine, migrate


def test_records_filed_under_star_take_their_persons_village(server_db):
    engine = make_engine(server_db)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    row = {"form_id": "elder_visit", "form_version": "1", "data": "{}", "updated_at": "2026", "received_at": "2026"}
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO registry (kind, id, village_id, fields, updated_at, seq) VALUES "
                             "('person', 'p-1', 'V2', '{}', '2026', 1)"))
        for uuid, person in (("r-with-person", "p-1"), ("r-without", None)):
            conn.execute(sa.text("INSERT INTO records (uuid, revision, form_id, form_version, village_id, person_id, "
                                 "title, author, data, updated_at, received_at, conflicts) VALUES (:uuid, 1, "
                                 ":form_id, :form_version, '*', :person, '', '', :data, :updated_at, :received_at, 0)"),
                         {**row, "uuid": uuid, "person": person})
            conn.execute(sa.text("INSERT INTO record_revisions (uuid, revision, content_hash, form_id, form_version, "
                                 "village_id, person_id, author, title, data, attachments, created_at, updated_at, "
                                 "received_at, user_name, device_id) VALUES (:uuid, 1, 'h', :form_id, :form_version, "
                                 "'*', :person, '', '', :data, '[]', '2026', :updated_at, :received_at, 'staff', 'd')"),
                         {**row, "uuid": uuid, "person": person})
    migrate(engine)
    with engine.connect() as conn:
        for table in ("records", "record_revisions"):
            got = dict(conn.execute(sa.text(f"SELECT uuid, village_id FROM {table}")).all())
            assert got == {"r-with-person": "V2", "r-without": None}
    engine.dispose()
