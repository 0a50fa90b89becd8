"""Shared by the form-author tests: a fixed device clock and inline markdown XLSForms."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
NOW_DT = datetime(2026, 11, 23, 10, 0, tzinfo=CST)


def NOW() -> datetime:  # noqa: N802 - used like a constant clock
    return NOW_DT


def md(text: str) -> str:
    return textwrap.dedent(text)
