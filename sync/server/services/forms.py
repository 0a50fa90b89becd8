"""Published form versions: added after the same engine checks the laptops run, listed and served by role."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from sync import protocol
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.common import Database, sha256, utc_now

FORMS_DIR = Path(__file__).resolve().parents[3] / "resources" / "forms"


class Forms:
    def __init__(self, db: Database):
        self.db = db
        self._forms: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def count(self) -> int:
        with self.db.read() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.forms)).scalar_one()

    def add_builtin(self) -> None:
        """Publish the built-in forms this program brings, and their earlier versions (resources/forms/versions:
        records from laptops not yet upgraded), skipping any already here (by content), at every start."""
        with self.db.read() as conn:
            known = set(conn.execute(sa.select(t.forms.c.sha256)).scalars())
        for path in [*sorted(FORMS_DIR.glob("*.xlsx")), *sorted((FORMS_DIR / "versions").glob("*.xlsx"))]:
            content = path.read_bytes()
            if sha256(content) not in known:
                self.add(content)

    def add(self, content: bytes) -> tuple[str, str]:
        """Publish a form version (checked by the same engine the laptops use); returns (form_id, version)."""
        from app.forms.xlsform import load_form

        form = load_form(content)
        with self.db.engine.begin() as conn:
            self.db.insert_ignore(conn, t.forms, [{
                "form_id": form.form_id, "version": form.version or "", "title": form.title or form.form_id,
                "content": content, "sha256": sha256(content), "created_at": utc_now()}])
        with self._lock:
            self._forms[(form.form_id, form.version or "")] = form
        return form.form_id, form.version or ""

    def definition(self, form_id: str, version: str):
        """The engine's form for a published version (loaded once per process), or None."""
        key = (form_id, version)
        with self._lock:
            if key in self._forms:
                return self._forms[key]
        with self.db.read() as conn:
            content = conn.execute(sa.select(t.forms.c.content).where(
                t.forms.c.form_id == form_id, t.forms.c.version == version)).scalar_one_or_none()
        if content is None:
            return None
        from app.forms.xlsform import load_form

        form = load_form(bytes(content))
        with self._lock:
            self._forms[key] = form
        return form

    def listing(self, caller: Caller) -> protocol.FormList:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(t.forms.c.form_id, t.forms.c.version, t.forms.c.title, t.forms.c.sha256,
                                          sa.func.length(t.forms.c.content).label("size"))
                                .order_by(t.forms.c.form_id, t.forms.c.version)).all()
        return protocol.FormList(forms=[protocol.FormInfo(**row._mapping) for row in rows
                                        if scope.may_use_form(caller, row.form_id)])

    def content(self, caller: Caller, form_id: str, version: str) -> bytes | None:
        if not scope.may_use_form(caller, form_id):
            return None
        with self.db.read() as conn:
            content = conn.execute(sa.select(t.forms.c.content).where(
                t.forms.c.form_id == form_id, t.forms.c.version == version)).scalar_one_or_none()
        return bytes(content) if content is not None else None
