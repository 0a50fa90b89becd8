"""Fill a form from a dict of answers, as a person would.

This is the contract of ``cunfang forms fill`` (and what the server uses to check
an uploaded record): the result is ``{"valid", "errors", "data", "notes"}``.

Answers go in form order. An answer whose question is not shown yet waits until
the answers after it are in (a field-list page answered from the bottom up, a
question made relevant by a later one) and is applied then. No given answer is
dropped silently: one the data does not keep is either refused (``errors``) or
named in ``notes`` with the reason (its question is not shown under the form's
rules, a calculation or action changed it, its repeat instance was removed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.errors import ErrorCode
from app.forms.model import Control, FormDef
from app.forms.session import FormSession
from app.forms.xpath.nodes import Node


def fill(
    form: FormDef,
    answers: dict,
    *,
    lang: str | None = None,
    now: Callable[[], datetime] | None = None,
    saved: bool = False,
    instances: dict[str, Node] | None = None,
) -> dict:
    """Apply ``answers`` to a new record and report validity, errors, the data and notes.

    With ``saved=True`` the answers are a record's stored data: calculated values
    in it are recomputed rather than refused as read-only answers. ``instances`` replace
    secondary instances for this record (see ``FormSession``).
    """
    return _filled(FormSession(form, lang=lang, now=now, instances=instances), answers, saved)


# Functions that give each evaluation something new: a form using them is opened afresh for every record.
_FRESH_EACH_TIME = re.compile(r"\b(uuid|random|randomize)\s*\(")


def fill_many(form: FormDef, batch: list[dict], *, lang: str | None = None,
              now: Callable[[], datetime] | None = None, instances: dict[str, Node] | None = None) -> list[dict]:
    """``fill`` for each answers object of ``batch`` (`cunfang records add`): the form is opened and evaluated once
    and each record starts from a copy of that state (``FormSession.fork``), with its own instance ID; every
    record is then checked exactly as ``fill`` checks one. A form whose expressions call uuid() or random() is
    opened afresh for each record, as is everything when the batch has one record."""
    if len(batch) < 2 or _uses_fresh_values(form):
        return [fill(form, answers, lang=lang, now=now, instances=instances) for answers in batch]
    opened = FormSession(form, lang=lang, now=now, instances=instances)
    return [_filled(opened.fork(), answers, False) for answers in batch]


def _uses_fresh_values(form: FormDef) -> bool:
    texts = [e.text for b in form.binds.values() for e in (b.calculate, b.relevant, b.required, b.constraint,
                                                             b.readonly) if e is not None]
    texts += [a.value.text for a in form.setvalues if a.value is not None]
    texts += [c.repeat_count.text for c in form.walk() if c.repeat_count is not None]
    texts += [c.itemset.nodeset for c in form.walk() if c.itemset is not None]
    return any(_FRESH_EACH_TIME.search(text) for text in texts)


def _filled(session: FormSession, answers: dict, saved: bool) -> dict:
    notes: dict[str, str] = {}
    problems = apply_answers(session, answers, saved=saved, notes=notes)
    session.finalize_metadata()
    errors = session.errors()
    errors.update(problems)
    return {"valid": not errors, "errors": errors, "data": session.to_data(),
            "notes": {k: v for k, v in notes.items() if k not in errors}}


def apply_answers(session: FormSession, answers: dict, *, saved: bool = False,
                  notes: dict[str, str] | None = None) -> dict[str, str]:
    """Apply answers (or a saved record's data) to an open session; returns problems not tied to a node.

    ``notes`` (when given) receives every answer the record does not keep, by key, with the reason.
    """
    applier = _Applier(session, saved)
    applier.level(session.form.controls, answers, session.root, "")
    applier.settle()
    left = applier.notes()  # also turns repeat answers beyond the final count into problems
    if notes is not None:
        notes.update(left)
    return applier.problems


DONE, MOVED, WAIT = "done", "moved", "wait"


@dataclass
class _Waiting:
    """An answer (or a repeat's list of answers) whose question is not shown yet."""

    key: str
    value: object
    node: Node | None  # the question's node; for a repeat, its parent
    attempt: Callable[[], str]  # applies what it can now: DONE, MOVED (part of it) or WAIT
    kind: str = "answer"  # "repeat": a repeat's answers; "count": the answers beyond a repeat's count


class _Applier:
    def __init__(self, session: FormSession, saved: bool):
        self.session, self.saved = session, saved
        self.problems: dict[str, str] = {}
        self.waiting: list[_Waiting] = []
        self.given: list[tuple[str, Node, str, object]] = []  # key, node, value stored, answer as given

    # -- applying
    def level(self, controls: list[Control], answers: dict, container: Node, prefix: str) -> None:
        used: set[str] = set()
        self.controls(controls, answers, container, prefix, used)
        session = self.session
        for key in answers:
            if key in used:
                continue
            node = _bind_only_node(session, container, key)
            if node is None:
                self.problems[prefix + key] = ErrorCode.ANSWER_UNKNOWN_QUESTION.value.format(name=key)
            elif node.bind is not None and (node.bind.calculate is not None or node.bind.preload):
                if not self.saved:  # calculations and metadata (start, end, deviceid…) are the form's, not a person's
                    self.problems[prefix + key] = ErrorCode.ANSWER_READ_ONLY.value
            else:
                self.answer(session.key(node), node, answers[key], None)

    def controls(self, controls, answers, container, prefix, used) -> None:
        for control in controls:
            if control.kind == "group":
                self.controls(control.children, answers, container, prefix, used)
                continue
            name = control.name
            if name not in answers:
                continue
            used.add(name)
            if control.kind == "repeat":
                self.repeat(control, answers[name], container, prefix)
                continue
            node = self.session.node(control.ref, container)
            if node is None:
                self.problems[prefix + name] = ErrorCode.ANSWER_NO_NODE.value.format(name=name)
                continue
            self.answer(self.session.key(node), node, answers[name], control)

    def answer(self, key: str, node: Node, value, control: Control | None) -> None:
        session = self.session

        def attempt() -> str:
            if not node.relevant:
                return WAIT
            if control is not None and (control.qtype == "note" or session.readonly.get(node, False)):
                if not self.saved:
                    self.problems[key] = ErrorCode.ANSWER_READ_ONLY.value
                return DONE
            session.set_value(node, value)
            if node not in session.input_errors and not _empty(value):
                self.given.append((key, node, node.value, value))
            return DONE

        if attempt() != DONE:
            self.waiting.append(_Waiting(key, value, node, attempt))

    def repeat(self, control: Control, items, container: Node, prefix: str) -> None:
        session, name = self.session, control.name
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.problems[prefix + name] = ErrorCode.ANSWER_NOT_REPEAT.value.format(name=name)
            return
        parents = session.nodes(control.ref.rsplit("/", 1)[0], container)
        if not parents:
            self.problems[prefix + name] = ErrorCode.ANSWER_NO_NODE.value.format(name=name)
            return
        parent = parents[0]

        def attempt() -> str:
            if not parent.relevant:
                return WAIT
            self._fill_repeat(control, items, parent, prefix)
            return DONE

        if attempt() != DONE:
            self.waiting.append(_Waiting(prefix + name, items, parent, attempt, "repeat"))

    def _fill_repeat(self, control: Control, items: list, parent: Node, prefix: str) -> None:
        session, name = self.session, control.name
        instances = [c for c in parent.children if c.name == name]
        if control.repeat_count is None:
            for extra in instances[len(items):]:
                session.remove_repeat(extra)
            while len(instances) < len(items):
                instances.append(session.add_repeat(control.ref, parent))
        filled = 0

        def attempt() -> str:
            """Fill the instances the count allows so far; the rest wait for answers that raise it."""
            nonlocal filled
            present = [c for c in parent.children if c.name == name]
            reach = min(len(present), len(items))
            for i in range(filled, reach):
                self.level(control.children, items[i], present[i], f"{prefix}{name}[{i + 1}]/")
            moved, filled = reach > filled, max(filled, reach)
            return DONE if filled == len(items) else MOVED if moved else WAIT

        if attempt() != DONE:
            self.waiting.append(_Waiting(prefix + name, items, parent, attempt, "count"))

    def settle(self) -> None:
        """Apply waiting answers as the answers after them make their questions shown, until none moves."""
        while self.waiting:
            pending, self.waiting = self.waiting, []
            moved = False
            for item in pending:
                outcome = item.attempt() if _attached(item.node) else WAIT
                moved = moved or outcome != WAIT
                if outcome != DONE:
                    self.waiting.append(item)
            if not moved:
                return

    # -- what was not kept
    def notes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.waiting:
            if item.kind == "count":
                name = item.key.rsplit("/", 1)[-1]
                present = sum(1 for c in item.node.children if c.name == name)
                self.problems[item.key] = ErrorCode.ANSWER_TOO_MANY_REPEATS.value.format(
                    name=name, count=present, extra=len(item.value) - present)
                continue
            if item.key in self.problems or _empty(item.value):
                continue
            if item.kind == "repeat":
                count = sum(1 for answers in item.value if any(not _empty(v) for v in answers.values()))
                if count:
                    reason = self.why_hidden(item.node, container=True)
                    out[item.key] = ErrorCode.NOTE_REPEAT_HIDDEN.value.format(
                        name=item.key.rsplit("/", 1)[-1], count=count, reason=reason)
            elif not _attached(item.node):
                out[item.key] = self._removed(item.node, item.value)
            else:
                out[item.key] = ErrorCode.NOTE_HIDDEN.value.format(value=_show(item.value),
                                                                   reason=self.why_hidden(item.node))
        for key, node, stored, value in self.given:
            if key in self.problems or key in out:
                continue
            if not _attached(node):
                out[key] = self._removed(node, value)
            elif not node.relevant:
                out[key] = ErrorCode.NOTE_HIDDEN.value.format(value=_show(value), reason=self.why_hidden(node))
            elif node.value != stored:
                out[key] = ErrorCode.NOTE_CHANGED.value.format(value=_show(value), now=_show(node.value))
        return out

    def _removed(self, node: Node, value) -> str:
        top = node
        while top.parent is not None:
            top = top.parent
        return ErrorCode.NOTE_REMOVED.value.format(value=_show(value), name=top.name)

    def why_hidden(self, node: Node, *, container: bool = False) -> str:
        """The outermost rule that hides ``node`` (a question, or the ``container`` of a repeat's answers):
        its own relevant or an enclosing group's/repeat's."""
        session = self.session
        for current in [*node.ancestors(), node]:
            if session.self_relevant.get(current, True) is not False:
                continue
            bind = current.bind
            expr = _readable(session, bind.relevant.text) if bind is not None and bind.relevant else ""
            if current is node and not container:
                return ErrorCode.NOTE_REASON_OWN.value.format(expr=expr)
            control = session.control(current)
            group = (session.label(control, current) if control is not None else "") or current.name
            return ErrorCode.NOTE_REASON_GROUP.value.format(group=group, expr=expr)
        return ErrorCode.NOTE_REASON_UNKNOWN.value


_PATH = re.compile(r"(?<![\w.)\]'\"])/[A-Za-z_][\w.\-]*(?:/[A-Za-z_][\w.\-]*)+")


def _readable(session: FormSession, expr: str) -> str:
    """An XForm expression as its author wrote it: absolute paths of questions back to ``${name}``."""
    paths = set(session.form.binds) | {c.ref for c in session.form.walk()}
    text = _PATH.sub(lambda m: f"${{{m.group(0).rsplit('/', 1)[-1]}}}" if m.group(0) in paths else m.group(0), expr)
    return " ".join(text.split())


def _attached(node: Node | None) -> bool:
    while node is not None and node.parent is not None:
        node = node.parent
    return node is not None and node.is_document


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _show(value) -> str:
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _bind_only_node(session: FormSession, container: Node, name: str) -> Node | None:
    """A hidden/calculate node (no control) named ``name`` inside this container's level."""
    for node in container.iter():
        if node is container or node.children:
            continue
        if node.name == name and session.control(node) is None:
            repeat_between = any(a.generic_path() in session.form.repeat_paths
                                 for a in node.ancestors() if a not in container.ancestors() + [container])
            if not repeat_between:
                return node
    return None
