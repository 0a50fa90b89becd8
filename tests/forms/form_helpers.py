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


def shown(form, answers: dict, name: str, now=NOW, instances=None) -> bool:
    """Whether the question or note ``name`` is shown once ``answers`` are filled in (a warning note, say)."""
    from app.forms.fill import apply_answers
    from app.forms.session import FormSession

    session = FormSession(form, now=now, instances=instances)
    apply_answers(session, answers)
    stack = [session.root]
    while stack:
        node = stack.pop()
        if node.name == name:
            return bool(node.relevant)
        stack.extend(node.children)
    raise KeyError(name)


def control(form, name: str):
    """The control of the question ``name``."""
    return next(c for c in form.walk() if c.name == name)
