"""One record being filled: the live instance, its answers and their consequences.

A ``FormSession`` applies an answer, then re-evaluates only the calculations,
relevance, required/read-only flags, constraints and choice filters that depend
on it (in the graph's topological order), so the desktop filler, the CLI and the
server all see the same state after every keystroke.
"""

from __future__ import annotations

import heapq
import math
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import cache

from app.errors import CunFangError, ErrorCode
from app.forms.answers import parse_answer
from app.forms.graph import Graph, Vertex, under
from app.forms.model import Choice, Control, FormDef, itemset_choice, itemset_value, markup_text, pick
from app.forms.xpath.compiler import Ctx, Env
from app.forms.xpath.nodes import Node
from app.forms.xpath.values import (
    DEVICE_TZ,
    DateValue,
    format_datetime,
    number_to_string,
    to_boolean,
    to_number,
    to_string,
)

Change = tuple[str, Node, bool]  # generic path, concrete node, whole subtree?
# Events that mean the same to a new record (JavaRosa's Actions): the instance loads, a repeat instance is added.
EVENT_ALIASES = {"odk-instance-load": "odk-instance-first-load", "xforms-ready": "odk-instance-first-load",
                 "jr-insert": "odk-new-repeat"}


@cache
def _steps(path: str) -> tuple[str, ...]:
    """A generic path's names (/data/kids/name → data, kids, name); a form has a few hundred paths."""
    return tuple(path.strip("/").split("/"))


def graph_of(form: FormDef) -> Graph:
    """The form's dependency graph, built (and cycle-checked) once per form."""
    graph = getattr(form, "_graph", None)
    if graph is None:
        graph = Graph(form)
        form._graph = graph  # type: ignore[attr-defined]
    return graph


class FormSession:
    def __init__(
        self,
        form: FormDef,
        *,
        lang: str | None = None,
        now: Callable[[], datetime] | None = None,
        properties: dict[str, str] | None = None,
        instances: dict[str, Node] | None = None,
    ):
        """``instances`` replace the form's secondary instances of the same id for this record
        (the county's settings in place of the defaults shipped beside the form)."""
        self.form = form
        self.graph = graph_of(form)
        self.lang = lang or form.default_lang
        self.doc = form.template.clone(None)
        self._rebind(self.doc)
        self.env = Env(
            primary=self.doc,
            instances={**form.instances, **(instances or {})},
            now=now or (lambda: datetime.now().astimezone()),
            lang=self.lang,
            properties=dict(properties or {}),
            form_version=form.version,
            choice_label=self._choice_label,
            itext=self._itext,
        )
        opened = self.env.now()
        self._device_tz = opened.tzinfo
        self.self_relevant: dict[Node, bool] = {}
        self.required: dict[Node, bool] = {}
        self.readonly: dict[Node, bool] = {}
        self.constraint_ok: dict[Node, bool] = {}
        self.choice_values: dict[Node, list[str]] = {}
        self.input_errors: dict[Node, str] = {}
        self.numeric: set[Node] = set()
        self._controls = {c.ref: c for c in form.walk()}
        self._preload(opened)
        self.recompute_all()
        self._run_setvalues("odk-instance-first-load", self.doc)

    def fork(self) -> FormSession:
        """Another new record in the state this one opened in, without evaluating the whole form again (filling
        many records at once: ``fill.fill_many``). Only for a session nothing has been answered in yet. The copy
        gets an instance ID of its own (the ``uid`` preload, and what reads it); its opening time and today's
        date are this session's."""
        twin = object.__new__(FormSession)
        twin.form, twin.graph, twin.lang, twin._controls = self.form, self.graph, self.lang, self._controls
        twin._device_tz = self._device_tz
        twin.doc = self.doc.clone(None)
        same = dict(zip(self.doc.iter(), twin.doc.iter(), strict=True))
        for old, new in same.items():
            new.relevant = old.relevant
        twin.env = replace(self.env, primary=twin.doc, current=None, properties=dict(self.env.properties),
                           choice_label=twin._choice_label, itext=twin._itext)
        twin.self_relevant = {same[n]: v for n, v in self.self_relevant.items()}
        twin.required = {same[n]: v for n, v in self.required.items()}
        twin.readonly = {same[n]: v for n, v in self.readonly.items()}
        twin.constraint_ok = {same[n]: v for n, v in self.constraint_ok.items()}
        twin.choice_values = {same[n]: list(v) for n, v in self.choice_values.items()}
        twin.input_errors = {same[n]: v for n, v in self.input_errors.items()}
        twin.numeric = {same[n] for n in self.numeric}
        changes: list[Change] = []
        for node in twin.doc.iter():
            if node.bind is not None and node.bind.preload == "uid":
                node.value = f"uuid:{uuid.uuid4()}"
                changes.append((node.generic_path(), node, False))
        if changes:
            twin._propagate(changes)
        return twin

    # ------------------------------------------------------------------ structure

    @property
    def root(self) -> Node:
        return self.doc.children[0]

    def _rebind(self, top: Node) -> None:
        for node in top.iter():
            if node.parent is not None:
                node.bind = self.form.binds.get(node.generic_path())

    def nodes(self, path: str, anchor: Node | None = None) -> list[Node]:
        """Concrete nodes for a generic path; inside ``anchor``'s repeat instances when it has any."""
        chain = (anchor.ancestors() + [anchor]) if anchor is not None else []
        nodes = [self.doc]
        for depth, name in enumerate(_steps(path)):
            pinned = chain[depth + 1] if depth + 1 < len(chain) else None
            if pinned is not None and pinned.name == name and len(nodes) == 1 and pinned.parent is nodes[0]:
                nodes = [pinned]
                continue
            chain = []
            nodes = [c for n in nodes for c in n.children if c.name == name]
        return nodes

    def node(self, path: str, anchor: Node | None = None) -> Node | None:
        found = self.nodes(path, anchor)
        return found[0] if found else None

    def control(self, node_or_path) -> Control | None:
        path = node_or_path if isinstance(node_or_path, str) else node_or_path.generic_path()
        return self._controls.get(path)

    def repeat_instances(self, repeat_path: str, parent: Node | None = None) -> list[Node]:
        parent_path = repeat_path.rsplit("/", 1)[0]
        if parent is not None and parent.generic_path() == parent_path:
            parents = [parent]
        else:
            parents = self.nodes(parent_path, parent)
        name = repeat_path.rsplit("/", 1)[1]
        return [c for p in parents for c in p.children if c.name == name]

    def add_repeat(self, repeat_path: str, parent: Node | None = None) -> Node:
        """Add an instance of a repeat at the end (under ``parent``, or the only parent)."""
        parent_path = repeat_path.rsplit("/", 1)[0]
        if parent is None or parent.generic_path() != parent_path:
            parents = self.nodes(parent_path, parent)
            parent = parents[0]
        node = self._new_instance(repeat_path, parent)
        self._propagate([(repeat_path, node, True)])
        self._run_setvalues("odk-new-repeat", node)
        return node

    def _new_instance(self, repeat_path: str, parent: Node) -> Node:
        template = self.form.repeat_templates.get(repeat_path)
        if template is None:
            existing = [c for c in parent.children if c.generic_path() == repeat_path]
            template = existing[0] if existing else None
        if template is None:
            raise CunFangError(ErrorCode.FORM_INVALID, reason=f"{repeat_path} 不是可重复的问题组")
        node = template.clone(None)
        node.attrs.pop("_path", None)
        siblings = [c for c in parent.children if c.name == node.name]
        index = parent.children.index(siblings[-1]) + 1 if siblings else self._insert_index(parent, repeat_path)
        node.parent = parent
        parent.children.insert(index, node)
        self._rebind(node)
        self._inherit_relevance(node)
        return node

    def _insert_index(self, parent: Node, repeat_path: str) -> int:
        """Where a first instance goes: after the siblings that come before it in the form."""
        order = [c.ref for c in self.form.walk()]
        names_before = set()
        for ref in order:
            if ref == repeat_path:
                break
            if ref.rsplit("/", 1)[0] == parent.generic_path():
                names_before.add(ref.rsplit("/", 1)[1])
        index = 0
        for i, child in enumerate(parent.children):
            if child.name in names_before:
                index = i + 1
        return index

    def remove_repeat(self, node: Node) -> None:
        parent = node.parent
        path = node.generic_path()
        parent.children.remove(node)
        node.parent = None
        for n in node.iter():
            for table in (self.self_relevant, self.required, self.readonly, self.constraint_ok, self.choice_values,
                          self.input_errors):
                table.pop(n, None)
            self.numeric.discard(n)
        self._propagate([(path, parent, True)])

    def _inherit_relevance(self, top: Node) -> None:
        parent_rel = top.parent.relevant if top.parent is not None else True
        for n in top.iter():
            own = self.self_relevant.get(n, True)
            n.relevant = own and (parent_rel if n is top else n.parent.relevant)

    # ------------------------------------------------------------------ answers

    def set_value(self, node: Node, value) -> str | None:
        """Apply one answer as a person would; returns the input error message, if any.

        Text that is not a valid answer for the question's type (a letter in an
        integer, a 30th of February) is refused with a message and the earlier
        answer is kept.
        """
        control = self.control(node)
        DEVICE_TZ.set(self._device_tz)
        text, problem = parse_answer(node.bind, control, value)
        if problem is not None:
            self.input_errors[node] = problem
            return problem
        self.input_errors.pop(node, None)
        if text == node.value:
            return None
        node.value = text
        self.numeric.discard(node)
        changes: list[Change] = [(node.generic_path(), node, False)]
        if control is not None:
            for action in control.triggers:
                target = self.node(action.ref, node)
                if target is not None:
                    new = self._eval_text(action.value, target) if action.value else ""
                    if new != target.value:
                        target.value = new
                        changes.append((target.generic_path(), target, False))
        self._propagate(changes)
        return None

    def set_path(self, path: str, value, anchor: Node | None = None) -> str | None:
        node = self.node(path, anchor)
        if node is None:
            raise CunFangError(ErrorCode.ANSWER_UNKNOWN_QUESTION, name=path)
        return self.set_value(node, value)

    # ------------------------------------------------------------------ evaluation

    def _ctx(self, node: Node) -> Ctx:
        DEVICE_TZ.set(self._device_tz)
        self.env.current = node
        return Ctx(node, 1, 1, self.env)

    def _eval_text(self, expr, node: Node) -> str:
        return self._format(expr.fn(self._ctx(node)), node)

    def _format(self, result, node: Node) -> str:
        dtype = node.bind.type if node.bind is not None else "string"
        if isinstance(result, list):
            result = to_string(result)
        if dtype in ("int", "integer"):
            num = to_number(result)
            return "" if math.isnan(num) or math.isinf(num) else str(int(num))
        if dtype == "decimal":
            num = to_number(result)
            return "" if math.isnan(num) or math.isinf(num) else number_to_string(num)
        if dtype == "date":
            if isinstance(result, (int, float)) and not isinstance(result, bool):
                if math.isnan(result) or math.isinf(result):
                    return ""
                return str(DateValue(float(result), "date"))  # today() + 30 is a date, as in Collect
            return to_string(result)
        if dtype == "dateTime" and isinstance(result, DateValue):
            return format_datetime(result.to_datetime())
        if isinstance(result, bool):
            return "true" if result else "false"
        return to_string(result)

    def recompute_all(self) -> None:
        """Evaluate every vertex for every node (on load; also the benchmark's baseline)."""
        structural: list[Change] = []
        for v in self.graph.vertices:
            for target in self._targets_all(v):
                effect = self._evaluate(v, target)
                if effect is not None and v.kind == "count":
                    structural.append(effect)
        if structural:  # what reads a repeat's size is evaluated again once the counts have settled
            self._propagate(structural)

    def _targets_all(self, v: Vertex) -> list[Node]:
        if v.kind == "count":
            return self.nodes(v.path.rsplit("/", 1)[0])
        return self.nodes(v.path)

    def _propagate(self, changes: list[Change]) -> None:
        """Evaluate, in topological order, just the vertices that read what changed.

        A vertex is queued by each change that reaches it, with the changed node as
        an anchor, so inside repeats only the affected instance is evaluated.
        """
        heap: list[tuple[int, Vertex]] = []
        anchors: dict[Vertex, list[Node]] = {}
        direct = self.graph.direct

        def reach(change: Change, source: Vertex | None) -> None:
            path, node, subtree = change
            for v in direct(path, subtree):
                if v is source:
                    continue
                queued = anchors.get(v)
                if queued is None:
                    anchors[v] = [node]
                    heapq.heappush(heap, (v.order, v))
                elif node not in queued:
                    queued.append(node)

        for change in changes:
            reach(change, None)
        budget = 50 * len(self.graph.vertices) + 1000  # repeat counts that read their own size converge
        # A repeat count applies once per change, as in Collect: one that reads its own size (count()+1 until
        # the last instance says stop) grows by one instance, not by a run to the limit.
        counted: set[tuple[Vertex, int]] = set()
        while heap:
            budget -= 1
            if budget < 0:
                break
            _, v = heapq.heappop(heap)
            target_path = v.path.rsplit("/", 1)[0] if v.kind == "count" else v.path
            seen: set[int] = set()
            for anchor in anchors.pop(v):
                for target in self.nodes(target_path, anchor):
                    if id(target) in seen or v.kind == "count" and (v, id(target)) in counted:
                        continue
                    seen.add(id(target))
                    if v.kind == "count":
                        counted.add((v, id(target)))
                    effect = self._evaluate(v, target)
                    if effect is not None:
                        reach(effect, v)

    def _evaluate(self, v: Vertex, node: Node) -> Change | None:
        kind = v.kind
        if kind == "calc":
            if not node.relevant:
                return None
            raw = v.expr.fn(self._ctx(node))
            new = self._format(raw, node)
            dated = node.bind is not None and node.bind.type in ("date", "dateTime", "time")
            if isinstance(raw, float) and not isinstance(raw, DateValue) and new not in ("", "NaN") and not dated:
                self.numeric.add(node)
            else:
                self.numeric.discard(node)
            if new != node.value:
                node.value = new
                return v.path, node, False
            return None
        if kind == "rel":
            own = to_boolean(v.expr.fn(self._ctx(node)))
            if self.self_relevant.get(node, True) == own:
                return None
            self.self_relevant[node] = own
            self._inherit_relevance(node)
            return v.path, node, True
        if kind == "req":
            self.required[node] = to_boolean(v.expr.fn(self._ctx(node)))
        elif kind == "ro":
            self.readonly[node] = to_boolean(v.expr.fn(self._ctx(node)))
        elif kind == "con":
            if node.value == "" or not node.relevant:
                self.constraint_ok.pop(node, None)
            else:
                self.constraint_ok[node] = to_boolean(v.expr.fn(self._ctx(node)))
        elif kind == "choice":  # the values only: labels are made when the choices are shown
            itemset = self._controls[v.path].itemset
            items = itemset.fn(self._ctx(node))
            self.choice_values[node] = [itemset_value(item, itemset) for item in items] if isinstance(items, list) \
                else []
        elif kind == "count":
            return self._apply_count(v, node)
        return None

    def _apply_count(self, v: Vertex, parent: Node) -> Change | None:
        if not parent.relevant:
            return None
        name = v.path.rsplit("/", 1)[1]
        probe = Node(name, parent)  # where an instance would be, so "../x" in the count resolves as in XForms
        num = to_number(v.expr.fn(self._ctx(probe)))
        want = 0 if math.isnan(num) or num < 0 else min(int(num), 1000)
        have = [c for c in parent.children if c.name == name]
        if len(have) == want:
            return None
        for extra in have[want:]:
            parent.children.remove(extra)
            extra.parent = None
        for _ in range(want - len(have)):
            node = self._new_instance(v.path, parent)
            self.recompute_subtree(node)
            self._run_setvalues("odk-new-repeat", node)
        return v.path, parent, True

    def recompute_subtree(self, top: Node) -> None:
        """Evaluate every vertex bound inside ``top`` (a new repeat instance), then what that changes."""
        base = top.generic_path()
        effects: list[Change] = []
        for v in self.graph.vertices:
            if under(v.path, base):
                for t in self.nodes(v.path if v.kind != "count" else v.path.rsplit("/", 1)[0], top):
                    effect = self._evaluate(v, t)
                    if effect is not None:
                        effects.append(effect)
        if effects:
            self._propagate(effects)

    # ------------------------------------------------------------------ preloads and actions

    def _preload(self, now: datetime) -> None:
        for node in self.doc.iter():
            bind = node.bind
            if bind is None or not bind.preload:
                continue
            kind, param = bind.preload, (bind.preload_params or "")
            if kind == "uid":
                node.value = node.value or f"uuid:{uuid.uuid4()}"
            elif kind == "timestamp" and param == "start":
                node.value = format_datetime(now)
            elif kind == "date" and param == "today":
                node.value = now.date().isoformat()
            elif kind == "property":
                node.value = self.env.properties.get(param, node.value)

    def finalize_metadata(self) -> None:
        """Set end-of-filling metadata (the ``end`` timestamp), as Collect does when finalizing."""
        now = self.env.now()
        for node in self.doc.iter():
            bind = node.bind
            if bind is not None and bind.preload == "timestamp" and bind.preload_params == "end":
                node.value = format_datetime(now)

    def _run_setvalues(self, event: str, scope: Node) -> None:
        changes: list[Change] = []
        base = scope.generic_path() if scope is not self.doc else "/"
        for action in self.form.setvalues:
            # An action nested in a control fires on load events too (JavaRosa registers it with the form);
            # only xforms-value-changed waits for its control (``Control.triggers``).
            if not any(EVENT_ALIASES.get(e, e) == event for e in action.events):
                continue
            if event == "odk-new-repeat" and not under(action.ref, base):
                continue
            for target in self.nodes(action.ref, scope if scope is not self.doc else None):
                if event == "odk-instance-first-load" and target.value != "":
                    continue
                new = self._eval_text(action.value, target) if action.value else ""
                if new != target.value:
                    target.value = new
                    changes.append((action.ref, target, False))
        if changes:
            self._propagate(changes)

    # ------------------------------------------------------------------ choices and labels

    def choices(self, control: Control, node: Node | None = None) -> list[Choice]:
        """The choices shown for a select at ``node``, after its choice filter."""
        if control.itemset is None:
            return control.choices or []
        node = node or self.node(control.ref)
        return self._itemset_choices(control, node)

    def _itemset_choices(self, control: Control, node: Node) -> list[Choice]:
        items = control.itemset.fn(self._ctx(node))
        if not isinstance(items, list):
            return []
        return [itemset_choice(item, control.itemset, self.form.itext) for item in items]

    def _choice_label(self, node: Node, value: str) -> str:
        control = self.control(node)
        if control is None:
            return ""
        for choice in self.choices(control, node):
            if choice.value == value:
                return self.choice_label(choice, node)
        return ""

    def choice_label(self, choice: Choice, node: Node | None = None) -> str:
        """A choice's label in the session's language, with ``${}`` outputs filled in."""
        text = choice.label(self.lang)
        if "<" not in text and "&" not in text:  # labels are itext markup; most are plain text
            return text
        return self._render(markup_text(text), node or self.root)

    def _itext(self, text_id: str) -> str:
        texts = pick(self.form.itext, self.lang) or {}
        return texts.get(text_id, "")

    def label(self, control: Control, node: Node | None = None, hint: bool = False) -> str:
        """A label (or hint) in the session's language, with ``${}`` outputs filled in."""
        text = pick(control.hints if hint else control.labels, self.lang)
        return self._render(text, node or self.node(control.ref) or self.root)

    def _render(self, text, node: Node) -> str:
        if text is None:
            return ""
        out = []
        for part in text.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(to_string(part.fn(self._ctx(node))).strip())
        return "".join(out).strip()

    # ------------------------------------------------------------------ validity

    def is_required(self, node: Node) -> bool:
        return self.required.get(node, False)

    def is_readonly(self, node: Node) -> bool:
        if self.readonly.get(node, False):
            return True
        return node.bind is not None and node.bind.calculate is not None

    def error(self, node: Node) -> str | None:
        """The message to show next to a question, or None when its answer is acceptable."""
        if not node.relevant:
            return None
        if node in self.input_errors:
            return self.input_errors[node]
        bind = node.bind
        if node.value == "":
            if self.required.get(node, False):
                if bind and bind.required_msg:
                    return self._render(pick(bind.required_msg, self.lang), node)
                control = self.control(node)
                choice = control is not None and control.kind in ("select1", "select", "rank")
                return (ErrorCode.ANSWER_CHOOSE if choice else ErrorCode.ANSWER_REQUIRED).message
            return None
        if self.constraint_ok.get(node, True) is False:
            return self._render(pick(bind.constraint_msg, self.lang), node) if bind and bind.constraint_msg else \
                ErrorCode.ANSWER_CONSTRAINT.message
        control = self.control(node)
        if control is not None and control.kind in ("select1", "select", "rank"):
            allowed = self.choice_values.get(node)
            if allowed is None:
                allowed = [c.value for c in self.choices(control, node)]
            for chosen in node.value.split() if control.kind != "select1" else [node.value]:
                if chosen not in allowed:
                    return ErrorCode.ANSWER_NOT_IN_CHOICES.format(value=chosen)
        return None

    def errors(self) -> dict[str, str]:
        """Every problem in the record, keyed by question (``kids[2]/name`` inside repeats)."""
        out: dict[str, str] = {}
        for node in self.root.iter():
            if node.children or node is self.root:
                continue
            message = self.error(node)
            if message:
                out[self.key(node)] = message
        return out

    def key(self, node: Node) -> str:
        """A question's name, prefixed by repeat names and positions when inside repeats."""
        parts = []
        current = node
        while current is not None and current.parent is not None and current is not self.root:
            path = current.generic_path()
            if path in self.form.repeat_paths:
                same = [c for c in current.parent.children if c.name == current.name]
                parts.append(f"{current.name}[{same.index(current) + 1}]")
            elif current is node:
                parts.append(current.name)
            current = current.parent
        return "/".join(reversed(parts))

    @property
    def valid(self) -> bool:
        return not self.errors()

    # ------------------------------------------------------------------ data out

    def to_data(self) -> dict:
        """The record as JSON data: relevant answers by name, repeats as lists of objects."""
        root = self.root
        if not root.children and self.control(root) is not None:  # the whole instance is one question
            return {root.name: self._typed(root, self.control(root))} if root.value else {}
        return self._collect(root)

    def _collect(self, container: Node) -> dict:
        out: dict = {}
        for child in container.children:
            if not child.relevant or child.name == "meta" and container is self.root:
                continue
            path = child.generic_path()
            if path in self.form.repeat_paths:
                out.setdefault(child.name, []).append(self._collect(child))
                continue
            if child.children:
                for key, value in self._collect(child).items():
                    out.setdefault(key, value)
                continue
            control = self.control(child)
            if control is not None and control.qtype == "note":
                continue
            if control is None and (child.bind is None or child.bind.calculate is None) and child.value == "":
                if child.bind is None:
                    continue
            out[child.name] = self._typed(child, control)
        for path in self.form.repeat_paths:
            if path.rsplit("/", 1)[0] == container.generic_path():
                name = path.rsplit("/", 1)[1]
                if container.relevant and name not in out and self._repeat_relevant(path, container):
                    out[name] = []
        return out

    def _repeat_relevant(self, path: str, container: Node) -> bool:
        """Whether a repeat with no instances is relevant (its relevant evaluated at its parent)."""
        if any(c.name == path.rsplit("/", 1)[1] for c in container.children):
            return False  # it has instances, all of them not relevant
        bind = self.form.binds.get(path)
        if bind is None or bind.relevant is None:
            return True
        return to_boolean(bind.relevant.fn(self._ctx(container)))

    def _typed(self, node: Node, control: Control | None):
        text = node.value
        if text == "":
            return None
        dtype = node.bind.type if node.bind is not None else "string"
        qtype = control.qtype if control is not None else ""
        if dtype in ("int", "integer") or (qtype == "range" and "." not in text):
            try:
                return int(text)
            except ValueError:
                return text
        if dtype == "decimal" or qtype == "range" or node in self.numeric:
            num = to_number(text)
            if math.isnan(num):
                return text
            return int(num) if num == int(num) and abs(num) < 2**53 and "." not in text else num
        return text

    def meta(self) -> dict[str, str]:
        meta = self.root.child("meta")
        return {c.name: c.value for c in meta.children} if meta is not None else {}

    def instance_name(self) -> str:
        if self.form.instance_name is None:
            return ""
        return to_string(self.form.instance_name.fn(self._ctx(self.root)))
