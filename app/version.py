"""The program's version: one place (``pyproject.toml``), read from the installed package's metadata.

PyInstaller bundles that metadata (``copy_metadata("cunfang")`` in the spec), so the
frozen app, its About box, the executable's file info and the installer name agree.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

PACKAGE = "cunfang"


def version() -> str:
    """The version string, e.g. ``0.1.0``; from pyproject.toml when running an uninstalled checkout."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
        return match.group(1) if match else "0+unknown"


def version_tuple(text: str) -> tuple[int, ...]:
    """``"1.10.2"`` → ``(1, 10, 2)`` for comparing versions; anything after the numbers is ignored."""
    parts = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)
