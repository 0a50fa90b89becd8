"""Forms nobody here wrote: we open what JavaRosa (ODK Collect's engine) opens and refuse what it refuses.

``verdicts.json`` holds ODK Validate's verdict on every form of ``forms/`` (made by ``make_verdicts.py``, the only
part that needs Java). Our verdict: *open* when the form loads and a record can be filled, *refuse* when loading
reports form errors in Chinese. Every form where the two differ must be listed in ``differences.json`` with the
reason we differ on purpose; ``test_agreement`` fails on any other difference (and on a listed one that no longer
differs) and prints the agreement figure::

    pytest tests/forms/corpus -q -s -k agreement

Every form we open is then filled with empty answers and with answers made up as a person would give them
(seeded per form); filling never crashes and never drops a given answer without saying which and why.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from functools import cache
from pathlib import Path

import pytest

from app.forms.fill import fill
from app.forms.model import Control, FormDef
from app.forms.session import FormSession
from app.forms.xlsform import FormCheckFailed, load_form
from app.forms.xpath.nodes import Node

HERE = Path(__file__).resolve().parent
VERDICTS = json.loads((HERE / "verdicts.json").read_text(encoding="utf-8"))["forms"]
DIFFERENCES = json.loads((HERE / "differences.json").read_text(encoding="utf-8"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MIN_AGREEMENT = 0.97


def on_disk() -> set[str]:
    found = set()
    for path in (HERE / "forms").rglob("*"):
        if path.suffix.lower() in (".xlsx", ".xls") or (
            path.suffix.lower() == ".xml" and re.search(rb"<(h:)?html\b", path.read_bytes()[:4000])
        ):
            found.add(str(path.relative_to(HERE)))
    return found


@cache
def ours(key: str) -> tuple[str, FormDef | str]:
    """('accept', form) or ('refuse', the Chinese messages) or ('crash', what went wrong)."""
    try:
        form = load_form(HERE / key)
        FormSession(form)
    except FormCheckFailed as exc:
        messages = " | ".join(str(e) for e in exc.errors)
        if not exc.errors or not all(CHINESE.search(str(e)) for e in exc.errors):
            return "crash", f"refused without a Chinese message: {messages}"
        return "refuse", messages
    except Exception as exc:  # noqa: BLE001 - a crash is what this test exists to find
        return "crash", f"{type(exc).__name__}: {exc}"
    return "accept", form


def test_corpus_is_complete_and_sourced():
    assert len(VERDICTS) >= 300
    assert on_disk() == set(VERDICTS), "every form has JavaRosa's verdict (run make_verdicts.py)"
    sources = (HERE / "SOURCES.md").read_text(encoding="utf-8")
    missing = [k for k in VERDICTS if f"| {k} |" not in sources]
    assert not missing, f"not in SOURCES.md: {missing[:5]}"


def test_agreement():
    agree, undocumented, stale, crashes = 0, [], [], []
    for key, theirs in sorted(VERDICTS.items()):
        verdict, detail = ours(key)
        if verdict == "crash":
            crashes.append(f"{key}: {detail}")
            continue
        documented = DIFFERENCES.get(key)
        if verdict == theirs["verdict"]:
            agree += 1
            if documented:
                stale.append(key)
        elif not documented or documented.get("ours") != verdict:
            why = detail if verdict == "refuse" else "we open it"
            undocumented.append(f"{key}: JavaRosa {theirs['verdict']}s ({theirs['message'][:160]}), "
                                f"we {verdict} ({why if isinstance(why, str) else ''}"[:500] + ")")
    figure = agree / len(VERDICTS)
    print(f"\nagreement with JavaRosa (ODK Validate): {agree}/{len(VERDICTS)} = {figure:.1%}")
    assert not crashes, "crashes:\n" + "\n".join(crashes)
    assert not undocumented, f"{len(undocumented)} undocumented differences:\n" + "\n".join(undocumented)
    assert not stale, f"listed in differences.json but no longer different: {stale}"
    assert figure >= MIN_AGREEMENT


def test_every_difference_has_a_reason():
    for key, entry in DIFFERENCES.items():
        assert key in VERDICTS, key
        assert entry["ours"] in ("accept", "refuse") and len(entry["reason"]) > 20, key


# --------------------------------------------------------------------------- filling what we open


def opened() -> list[str]:
    """The forms JavaRosa opens, and those we open on purpose where it does not."""
    return sorted(k for k, v in VERDICTS.items()
                  if v["verdict"] == "accept" or DIFFERENCES.get(k, {}).get("ours") == "accept")


SKIP_TYPES = {"note", "image", "audio", "video", "file", "geotrace", "geoshape"}


def made_up(session: FormSession, control: Control, node: Node, rng: random.Random) -> str | None:
    """An answer a person could give to this question (None: leave it)."""
    q = control.qtype
    if q in SKIP_TYPES or control.kind == "trigger" and q != "acknowledge":
        return None
    if control.kind in ("select1", "select", "rank"):
        values = [c.value for c in session.choices(control, node) if c.value.strip() and " " not in c.value]
        if not values:
            return None
        if control.kind == "select1":
            return rng.choice(values)
        return " ".join(rng.sample(values, k=len(values) if control.kind == "rank" else rng.randint(1, len(values))))
    if q == "range":
        return control.params.get("start", "1")
    return {
        "integer": str(rng.randint(0, 4)),  # small: integers often set a repeat count
        "decimal": rng.choice(["0.5", "12.25", "3"]),
        "date": rng.choice(["2024-03-15", "1950-01-01"]),
        "time": "10:30:00.000+08:00",
        "datetime": "2024-03-15T10:30:00.000+08:00",
        "geopoint": "30.5 114.3 10 5",
        "acknowledge": "OK",
    }.get(q, rng.choice(["是", "张三 li", "12", "测试，回答"]))


def walk(session: FormSession, controls: list[Control], container: Node, rng: random.Random,
         seen: set[str]) -> dict:
    """Answer questions in form order as a person would (only those shown at the time); returns the answers."""
    answers: dict = {}
    for control in controls:
        if control.kind == "group":
            answers.update(walk(session, control.children, container, rng, seen))
            continue
        if control.name in seen:
            continue  # a second question with this name elsewhere: answers are keyed by name
        seen.add(control.name)
        if control.kind == "repeat":
            parent = session.node(control.ref.rsplit("/", 1)[0], container)
            if parent is None or not parent.relevant:
                continue
            instances = session.repeat_instances(control.ref, parent)
            if control.repeat_count is None and not instances and not control.params.get("noAddRemove"):
                instances = [session.add_repeat(control.ref, parent)]
            items = [walk(session, control.children, inst, rng, set()) for inst in instances[:2] if inst.relevant]
            if any(items) and control.repeat_count is None:
                answers[control.name] = items
            continue
        node = session.node(control.ref, container)
        if node is None or not node.relevant or session.is_readonly(node):
            continue
        value = made_up(session, control, node, rng)
        if value is not None and session.set_value(node, value) is None and node.value:
            answers[control.name] = value
    return answers


def dropped(answers: dict, data: dict, reported: set[str], prefix: str = "") -> list[str]:
    """Answers given that are neither in the data nor named in a message."""
    lost = []
    for name, value in answers.items():
        key = prefix + name
        if any(r == key or r.startswith(key + "[") or r.endswith("/" + name) and r.startswith(prefix)
               for r in reported):
            continue
        if isinstance(value, list):
            got = data.get(name)
            if not isinstance(got, list) or len(got) < len(value):
                lost.append(key)
                continue
            for i, (item, got_item) in enumerate(zip(value, got, strict=False), start=1):
                lost += dropped(item, got_item, reported, f"{key}[{i}]/")
        elif data.get(name) in (None, ""):
            lost.append(key)
    return lost


@pytest.mark.parametrize("key", opened())
def test_filling_never_crashes_nor_drops_answers(key):
    verdict, form = ours(key)
    if verdict != "accept":
        pytest.skip("documented difference: we refuse it")
    empty = fill(form, {})
    assert set(empty) == {"valid", "errors", "data", "notes"}
    rng = random.Random(zlib.crc32(key.encode()))
    for _ in range(2):
        session = FormSession(form)
        answers = walk(session, form.controls, session.root, rng, set())
        result = fill(form, answers)
        reported = set(result["errors"]) | set(result.get("notes", {}))
        lost = dropped(answers, result["data"], reported)
        assert not lost, f"answers dropped without a word: {lost} (given {answers}, got {result})"
