"""Fill a form from a dict of answers, in form order, as a person would.

This is the contract of ``cunfang forms fill`` (and what the server uses to check
an uploaded record): the result is ``{"valid", "errors", "data"}``.
"""

from __future__ import annotations

from collections.abc import Callable
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
    """Apply ``answers`` to a new record and report validity, errors and the data.

    With ``saved=True`` the answers are a record's stored data: calculated values
    in it are recomputed rather than refused as read-only answers. ``instances`` replace
    secondary instances for this record (see ``FormSession``).
    """
    session = FormSession(form, lang=lang, now=now, instances=instances)
    problems = apply_answers(session, answers, saved=saved)
    session.finalize_metadata()
    errors = session.errors()
    errors.update(problems)
    return {"valid": not errors, "errors": errors, "data": session.to_data()}


def apply_answers(session: FormSession, answers: dict, *, saved: bool = False) -> dict[str, str]:
    """Apply answers (or a saved record's data) to an open session; returns problems not tied to a node."""
    problems: dict[str, str] = {}
    _apply_level(session, session.form.controls, answers, session.root, "", problems, saved)
    return problems


def _apply_level(session: FormSession, controls: list[Control], answers: dict, container: Node, prefix: str,
                 problems: dict[str, str], saved: bool) -> None:
    used: set[str] = set()
    _apply_controls(session, controls, answers, container, prefix, problems, used, saved)
    for key in answers:
        if key in used:
            continue
        node = _bind_only_node(session, container, key)
        if node is None:
            problems[prefix + key] = ErrorCode.ANSWER_UNKNOWN_QUESTION.format(name=key)
        elif node.bind is not None and (node.bind.calculate is not None or node.bind.preload):
            if not saved:  # calculations and metadata (start, end, deviceid…) are the form's, not a person's
                problems[prefix + key] = ErrorCode.ANSWER_READ_ONLY.message
        elif node.relevant:
            session.set_value(node, answers[key])


def _apply_controls(session, controls, answers, container, prefix, problems, used, saved) -> None:
    for control in controls:
        if control.kind == "group":
            _apply_controls(session, control.children, answers, container, prefix, problems, used, saved)
            continue
        name = control.name
        if name not in answers:
            continue
        used.add(name)
        if control.kind == "repeat":
            _apply_repeat(session, control, answers[name], container, prefix, problems, saved)
            continue
        node = session.node(control.ref, container)
        if node is None or not node.relevant:
            continue
        if control.qtype == "note" or session.readonly.get(node, False):
            if not saved:
                problems[session.key(node)] = ErrorCode.ANSWER_READ_ONLY.message
            continue
        session.set_value(node, answers[name])


def _apply_repeat(session: FormSession, control: Control, items, container: Node, prefix: str,
                  problems: dict[str, str], saved: bool) -> None:
    name = control.name
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems[prefix + name] = ErrorCode.ANSWER_NOT_REPEAT.format(name=name)
        return
    parent_path = control.ref.rsplit("/", 1)[0]
    parents = session.nodes(parent_path, container)
    if not parents or not parents[0].relevant:
        return
    parent = parents[0]
    instances = [c for c in parent.children if c.name == name]
    if control.repeat_count is None:
        for extra in instances[len(items):]:
            session.remove_repeat(extra)
        while len(instances) < len(items):
            instances.append(session.add_repeat(control.ref, parent))
        instances = [c for c in parent.children if c.name == name]
    elif len(items) > len(instances):
        problems[prefix + name] = ErrorCode.ANSWER_TOO_MANY_REPEATS.format(
            name=name, count=len(instances), extra=len(items) - len(instances))
    for i, (instance, item) in enumerate(zip(instances, items, strict=False), start=1):
        _apply_level(session, control.children, item, instance, f"{prefix}{name}[{i}]/", problems, saved)


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
