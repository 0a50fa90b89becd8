"""Where CunFang keeps its data, and a log that never holds an ID number or phone in clear."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "CunFang"
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def data_dir(explicit: str | Path | None = None) -> Path:
    """``--data-dir``, else ``CUNFANG_DATA_DIR``, else the platform's per-user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("CUNFANG_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False))


def mask_sensitive(text: str) -> str:
    """Mask ID numbers (3401**********1234) and mobile numbers (138****5678) in free text."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2)[-4:], text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class MaskingFilter(logging.Filter):
    """Applied to every handler: personal identifiers never reach a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = mask_sensitive(message)
        record.args = ()
        if record.exc_text:
            record.exc_text = mask_sensitive(record.exc_text)
        return True


def setup_logging(directory: Path, *, level: int = logging.INFO) -> Path:
    """A rotating, masked log file in ``directory/logs``; returns its path."""
    from logging.handlers import RotatingFileHandler  # imported when logging starts, not at import time

    log_dir = directory / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "cunfang.log"
    root = logging.getLogger("cunfang")
    for handler in list(root.handlers):
        if isinstance(handler, RotatingFileHandler):
            root.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return path
