"""The dependency graph of a form's binds, built once when the form loads.

Vertices are (kind, path) pairs: a calculation, a relevance, a required or
read-only flag, a constraint, a choice filter or a repeat count. An edge runs
from a vertex whose result changes a path to every vertex that reads that path.
A topological order is fixed at load time; cycles are form errors. After an
answer changes, ``plan()`` gives just the vertices to evaluate, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from app.errors import ErrorCode, FormError
from app.forms.model import Expr, FormDef
from app.forms.xpath.deps import ANY

KIND_LABEL = {
    "calc": "calculation",
    "rel": "relevant",
    "req": "required",
    "ro": "read_only",
    "con": "constraint",
    "choice": "choice_filter",
    "count": "repeat_count",
}


@dataclass(eq=False)
class Vertex:
    """One expression of one bind; ordered so that heaps and sorts follow the topological order."""

    kind: str
    path: str  # the bound node (for "count": the repeat)
    expr: Expr
    deps: set[str] = field(default_factory=set)
    order: int = 0

    @property
    def effect(self) -> tuple[str, bool] | None:
        """The path this vertex changes, and whether the whole subtree changes."""
        if self.kind == "calc":
            return self.path, False
        if self.kind in ("rel", "count"):
            return self.path, True
        return None

    def __lt__(self, other: Vertex) -> bool:
        return self.order < other.order

    def __repr__(self) -> str:
        return f"<{self.kind} {self.path}>"


def reads(dep: str, changed: str, subtree: bool) -> bool:
    """Does a dependency on ``dep`` see a change at ``changed``?"""
    if dep.endswith("/" + ANY):
        prefix = dep[: -len(ANY) - 1]
        return changed == prefix or changed.startswith(prefix + "/") or prefix.startswith(changed + "/")
    # A change at or above what the expression reads (a relevance or a repeat instance) reaches it;
    # an answer below a container it reads (count(), position(..)) does not.
    return dep == changed or dep.startswith(changed + "/")


def _self_and_ancestors(path: str) -> list[str]:
    out = [path]
    while path.count("/") > 1:
        path = path.rsplit("/", 1)[0]
        out.append(path)
    return out


def under(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor + "/")


class Graph:
    def __init__(self, form: FormDef):
        self.form = form
        self.vertices: list[Vertex] = []
        for bind in form.binds.values():
            for kind, expr in (
                ("calc", bind.calculate),
                ("rel", bind.relevant),
                ("req", bind.required),
                ("ro", bind.readonly),
                ("con", bind.constraint),
            ):
                if expr is not None:
                    self.vertices.append(Vertex(kind, bind.path, expr, set(expr.deps)))
        for control in form.walk():
            if control.itemset is not None:
                expr = control.itemset.expr
                if expr is None:
                    expr = Expr.__new__(Expr)
                    expr.text, expr.fn, expr.deps, expr.column = control.itemset.nodeset, control.itemset.fn, \
                        control.itemset.deps, "choice_filter"
                self.vertices.append(Vertex("choice", control.ref, expr, set(expr.deps) | {control.ref}))
            if control.repeat_count is not None:
                self.vertices.append(Vertex("count", control.ref, control.repeat_count, set(control.repeat_count.deps)))
        self._index()
        self._sort()
        self._memoize()

    def _memoize(self) -> None:
        self.plan = lru_cache(maxsize=4096)(self._plan)
        self.direct = lru_cache(maxsize=8192)(self.affected_by)

    # Kept with its form in the form cache (cache.py): the memo tables are made afresh on reading.
    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("plan", "direct")}

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        self._memoize()

    def _index(self) -> None:
        """Index vertices by every ancestor of what they read and of where they sit."""
        self._reads_under: dict[str, list[Vertex]] = {}  # path → vertices reading it or below it
        self._wild: dict[str, list[Vertex]] = {}  # prefix → vertices reading anything under it
        self._sits_under: dict[str, list[Vertex]] = {}  # path → vertices bound at or below it
        for v in self.vertices:
            for dep in v.deps:
                if dep.endswith("/" + ANY):
                    prefix = dep[: -len(ANY) - 1]
                    self._wild.setdefault(prefix, []).append(v)
                    dep = prefix
                for path in _self_and_ancestors(dep):
                    self._reads_under.setdefault(path, []).append(v)
            sits = v.path.rsplit("/", 1)[0] if v.kind == "count" else v.path  # a count lives on the parent
            for path in _self_and_ancestors(sits):
                self._sits_under.setdefault(path, []).append(v)

    def affected_by(self, changed: str, subtree: bool) -> list[Vertex]:
        """Vertices that must be evaluated directly when ``changed`` changes (see ``reads``)."""
        found: dict[int, Vertex] = {}
        for v in self._reads_under.get(changed, ()):
            found[id(v)] = v
        for path in _self_and_ancestors(changed):
            for v in self._wild.get(path, ()):
                found[id(v)] = v
        if subtree:
            for v in self._sits_under.get(changed, ()):
                found[id(v)] = v
        return sorted(found.values(), key=lambda v: v.order)

    def _sort(self) -> None:
        edges: dict[Vertex, list[Vertex]] = {v: [] for v in self.vertices}
        self.feedback: dict[Vertex, list[Vertex]] = {v: [] for v in self.vertices}
        indegree = {v: 0 for v in self.vertices}
        for v in self.vertices:
            effect = v.effect
            if effect is None:
                continue
            for w in self.affected_by(*effect):
                if w is v and not (v.kind == "calc" and v.path in v.deps):
                    continue  # a relevance re-read by its own subtree is no loop; a calculation reading itself is
                if v.kind == "count":
                    # What a repeat count changes is re-evaluated at run time until the counts settle, so a
                    # count that reads the repeat's own size ("one more until the last says no", JavaRosa's
                    # ChildVaccinationTest) converges instead of being a form error. New instances are
                    # evaluated whole when they are made.
                    self.feedback[v].append(w)
                    continue
                edges[v].append(w)
                indegree[w] += 1
        ready = [v for v in self.vertices if indegree[v] == 0]
        order: list[Vertex] = []
        while ready:
            v = ready.pop(0)
            order.append(v)
            for w in edges[v]:
                indegree[w] -= 1
                if indegree[w] == 0:
                    ready.append(w)
        if len(order) < len(self.vertices):
            raise self._cycle_error(edges, {v for v in self.vertices if indegree[v] > 0})
        for i, v in enumerate(order):
            v.order = i
        self.vertices = order
        self.edges = edges

    def _cycle_error(self, edges, stuck: set[Vertex]) -> FormError:
        # Every stuck vertex has a stuck predecessor; walking predecessors must close a loop.
        preds = {v: [u for u in stuck if v in edges[u]] for v in stuck}
        node = min(stuck, key=lambda v: (v.kind != "calc", v.path))
        walk: list[Vertex] = []
        while node not in walk:
            walk.append(node)
            node = min(preds[node], key=lambda v: (v.kind != "calc", v.path))
        cycle = list(reversed(walk[walk.index(node):]))
        cycle.append(cycle[0])
        names = [f"{v.path.rsplit('/', 1)[-1]}（{KIND_LABEL[v.kind]}）" for v in cycle]
        first = cycle[0]
        name = first.path.rsplit("/", 1)[-1]
        return FormError(
            ErrorCode.FORM_CYCLE,
            sheet="survey",
            row=self.form.rows.get(name),
            column=KIND_LABEL[first.kind],
            question=name,
            chain=" → ".join(names),
        )

    def _plan(self, changed: str, subtree: bool) -> tuple[Vertex, ...]:
        todo = self.affected_by(changed, subtree)
        chosen = set(todo)
        while todo:
            v = todo.pop()
            for w in self.edges[v]:
                if w not in chosen:
                    chosen.add(w)
                    todo.append(w)
        return tuple(sorted(chosen, key=lambda v: v.order))
