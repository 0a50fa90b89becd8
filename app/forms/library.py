"""The forms a laptop can use: the built-in ones and the versions pulled from the bureau server.

New records use the newest version of each form; a record always opens with the
version it was filled with, when that version is here, so a new version never
breaks an old record.
"""

from __future__ import annotations

import csv
import re
import threading
from functools import cache
from pathlib import Path

from app.errors import FormCheckFailed

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "resources" / "forms"


@cache
def shared_choices() -> dict[str, dict[str, str]]:
    """The choice lists the built-in forms share (resources/forms/shared_choices.csv): list → code → label."""
    lists: dict[str, dict[str, str]] = {}
    with (BUILTIN_DIR / "shared_choices.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list_name"], {})[row["name"]] = row["label"]
    return lists


def builtin_paths() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.xlsx"))


def archived_path(form_id: str, version: str) -> Path:
    """Where an earlier version of a built-in form is kept (``versions/<form_id>-<version>.xlsx``): records made
    with it open with it after the program brings a newer one, and a server accepts them from older laptops."""
    return BUILTIN_DIR / "versions" / f"{form_id}-{version}.xlsx"


def archived_paths() -> list[Path]:
    return sorted((BUILTIN_DIR / "versions").glob("*.xlsx"))


def version_key(version: str) -> tuple:
    """Order versions as people write them: 2026.10 after 2026.9, numbers before words."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-_ ]", version))


class FormLibrary:
    """Forms loaded once each (loading converts the workbook), from the built-ins and ``store``'s ``forms`` table.

    Loaded forms are also kept on disk in the store's data directory (``cache/forms``, see cache.py), so the
    next start of the program opens them without converting the workbooks again; ``cache`` overrides it.
    """

    def __init__(self, store=None, cache=None):
        self.store = store
        if cache is None and store is not None and getattr(store, "data_dir", None) is not None:
            from app.forms.cache import cache_for

            cache = cache_for(store.data_dir)
        self.cache = cache
        self._lock = threading.Lock()
        self._by_path: dict[Path, object] = {}
        self._by_version: dict[tuple[str, str], object] = {}

    def load_path(self, path: Path):
        with self._lock:
            if path in self._by_path:
                return self._by_path[path]
        from app.forms.xlsform import load_form

        form = load_form(path, cache=self.cache)
        with self._lock:
            self._by_path[path] = form
            self._by_version.setdefault((form.form_id, form.version or ""), form)
        return form

    def _builtins(self) -> list:
        forms = []
        for path in builtin_paths():
            try:
                forms.append(self.load_path(path))
            except FormCheckFailed:
                continue  # a broken workbook is reported by `cunfang forms check`, not here
        return forms

    def _pulled_versions(self) -> list[tuple[str, str]]:
        if self.store is None:
            return []
        from app.store.forms import pulled_versions

        return pulled_versions(self.store)

    def _load_pulled(self, form_id: str, version: str):
        key = (form_id, version)
        with self._lock:
            if key in self._by_version:
                return self._by_version[key]
        from app.store.forms import pulled_content

        content = pulled_content(self.store, form_id, version)
        if content is None:
            return None
        from app.forms.xlsform import load_form

        try:
            form = load_form(content, cache=self.cache)
        except FormCheckFailed:
            return None
        with self._lock:
            self._by_version[key] = form
        return form

    def latest(self) -> list:
        """The newest usable version of every form, in form-id order."""
        newest: dict[str, object] = {form.form_id: form for form in self._builtins()}
        for form_id, version in self._pulled_versions():
            current = newest.get(form_id)
            if current is None or version_key(version) > version_key(current.version or ""):
                pulled = self._load_pulled(form_id, version)
                if pulled is not None:
                    newest[form_id] = pulled
        return [newest[k] for k in sorted(newest)]

    def get(self, form_id: str, version: str | None = None):
        """The form ``form_id`` in ``version`` if it is here, else its newest version; None if unknown."""
        named = BUILTIN_DIR / f"{form_id}.xlsx"  # built-ins are named after their form id: load just that one
        if named.exists() and not self._pulled_versions():
            try:
                form = self.load_path(named)
            except FormCheckFailed:
                form = None
            if form is not None and form.form_id == form_id and version in (None, form.version or ""):
                return form
        if version is not None:
            self._builtins()
            with self._lock:
                found = self._by_version.get((form_id, version))
            if found is None and (form_id, version) in self._pulled_versions():
                found = self._load_pulled(form_id, version)
            if found is None and archived_path(form_id, version).is_file():
                try:
                    found = self.load_path(archived_path(form_id, version))
                except FormCheckFailed:
                    found = None
            if found is not None:
                return found
        return next((form for form in self.latest() if form.form_id == form_id), None)
