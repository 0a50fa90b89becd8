"""Loaded forms kept on disk, so a form opens without converting its workbook again.

Converting an XLSForm (pyxform) and reading the XForm into a ``FormDef`` takes about a
second for a large form; a cached ``FormDef`` reads in a few tens of milliseconds. An
entry is found by the SHA-256 of the form file's bytes together with the engine's
fingerprint (the form engine's own source, the program's and pyxform's versions, the
Python version), so an edited workbook or an upgraded program never meets a stale entry.

Only form definitions are kept: never a record, never a person. A form that reads files
beside it (CSV/XML external instances, which may be local lists) is not cached at all; one that
reads only files the app ships (county_settings.xml, province_city.csv) is, and those files are part
of the fingerprint.
The entries are pickles in the user's own data directory: anyone who can write there can
already change what the user runs, so they add no way in; one that does not read back
is deleted and the form is converted again.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("cunfang.forms.cache")

CACHE_FORMAT = "1"  # bump when what is pickled changes shape in a way the source hash would not show
KEEP = 64  # entries kept; the oldest go first

_fingerprint: str | None = None


def engine_fingerprint() -> str:
    """What a cached form depends on besides its own bytes."""
    global _fingerprint
    if _fingerprint is None:
        from importlib import metadata

        from app.version import version

        digest = hashlib.sha256()
        try:
            pyxform_version = metadata.version("pyxform")
        except metadata.PackageNotFoundError:
            pyxform_version = "?"
        digest.update(f"{CACHE_FORMAT}|{version()}|{pyxform_version}|{sys.version_info[:2]}".encode())
        from app.forms.model import SHIPPED_MEDIA

        for name in ("*.xml", "*.csv"):  # the files every form may read (see FormDef.shipped_media)
            for shipped in sorted(SHIPPED_MEDIA.glob(name)):
                digest.update(shipped.name.encode() + b"\0" + shipped.read_bytes())
        engine = Path(__file__).resolve().parent
        for source in sorted(engine.rglob("*.py")):  # absent in a frozen bundle, where the version decides
            try:
                digest.update(source.relative_to(engine).as_posix().encode() + b"\0" + source.read_bytes())
            except OSError:
                continue
        _fingerprint = digest.hexdigest()
    return _fingerprint


class FormCache:
    """Loaded forms in ``directory`` (created when first written)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    def key(self, content: bytes, kind: str) -> str:
        digest = hashlib.sha256()
        digest.update(engine_fingerprint().encode() + b"\0" + kind.encode() + b"\0")
        digest.update(content)
        return digest.hexdigest()

    def load(self, content: bytes, kind: str, build: Callable[[], object]):
        """The form for ``content`` (a workbook's or XForm's bytes; ``kind`` how it is read, e.g. ``.xlsx``):
        from the cache, else ``build()``, stored for next time. ``build``'s errors pass through uncached."""
        entry = self.directory / f"{self.key(content, kind)}.form"
        form = self._read(entry)
        if form is not None:
            self.hits += 1
            return form
        self.misses += 1
        form = build()
        if set(getattr(form, "media", None) or ()) <= set(getattr(form, "shipped_media", None) or ()):
            self._write(entry, form)  # no files beside it, or only the ones the app ships
        return form

    def _read(self, entry: Path):
        try:
            data = entry.read_bytes()
        except OSError:
            return None
        collecting = gc.isenabled()
        gc.disable()  # tens of thousands of new objects: collecting while they arrive only costs time
        try:
            form = pickle.loads(data)  # noqa: S301 - our own entries in the user's data directory (see above)
        except Exception:  # noqa: BLE001 - a damaged or foreign entry is converted again
            log.warning("缓存的表单 %s 无法读取，重新转换", entry.name)
            entry.unlink(missing_ok=True)
            return None
        finally:
            if collecting:
                gc.enable()
        from app.forms.model import FormDef

        return form if isinstance(form, FormDef) else None

    def _write(self, entry: Path, form) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps(form, protocol=pickle.HIGHEST_PROTOCOL)
            partial = entry.with_name(f"{entry.name}.{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(data)
            os.replace(partial, entry)
            self._trim()
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError) as exc:
            log.warning("表单缓存写入失败（%s），下次打开时重新转换", type(exc).__name__)

    def _trim(self) -> None:
        entries = sorted(self.directory.glob("*.form"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)


def cache_for(data_dir: Path | None) -> FormCache | None:
    """The form cache of a data directory (``<data_dir>/cache/forms``), or None without one."""
    return FormCache(Path(data_dir) / "cache" / "forms") if data_dir is not None else None
