"""Records from a script (`cunfang records add`): answers checked by the form engine, then written all or none.

Each answers object is filled as the app fills a new record: the person's known facts first (``person_facts``,
for the questions of the form's top level, as 为此人填表 does), then the answers, with the county's settings as
the form's secondary instance (``Store.form_instances``, what 定稿 checks with). The form is opened and
evaluated once for the whole batch and each record starts from a copy of that state (``fill.fill_many``);
``Store.add_records`` writes every record in one transaction, finalizing each with the data checked here (the
engine is not run a second time per record).
"""

from __future__ import annotations

from datetime import date

from app.forms.fill import fill_many
from app.registry import person_facts


def prefilled(form, person: dict | None, author: str) -> dict:
    """The person's known facts by the names of the form's own questions (not those inside a repeat: a
    contact's 电话 is not the elder's)."""
    names = form.by_name()
    inside = tuple(path + "/" for path in form.repeat_paths)
    return {key: value for key, value in person_facts(person, author).items()
            if key in names and not names[key].startswith(inside)}


def check(store, form, batch: list[dict], *, person: dict | None = None, author: str = "") -> list[dict]:
    """The engine's result (``fill``: valid, errors, data, notes) for each answers object, in order."""
    known = prefilled(form, person, author)
    instances = store.form_instances()
    return fill_many(form, [{**known, **answers} for answers in batch], instances=instances)


def add(store, form, results: list[dict], *, person: dict | None = None, author: str = "",
        finalize: bool = False) -> list[str]:
    """Write the checked records (every result valid) in one transaction; their UUIDs."""
    who = (person or {}).get("name", "")
    title = f"{who} {form.title or form.form_id} {date.today():%Y-%m-%d}".strip()
    return store.add_records(form, [r["data"] for r in results], person=person, author=author, title=title,
                             finalize=finalize)
