"""Compile a parsed XPath expression into nested Python closures.

Compiling once and calling many times keeps a bind's evaluation to a few
microseconds without libxml2, whose built-in functions (round, concat, number
conversion of dates) cannot be given ODK's meaning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.errors import CunFangError, ErrorCode
from app.forms.xpath import parser as ast
from app.forms.xpath.nodes import Attr, Node
from app.forms.xpath.values import DateValue, parse_date_text, to_boolean, to_number, to_string


@dataclass
class Env:
    """What an expression can see beyond its context node."""

    primary: Node | None = None  # the document node of the form's instance
    instances: dict[str, Node] = field(default_factory=dict)  # secondary instances by id
    current: Node | None = None  # current(): the node whose bind is evaluated
    now: Callable[[], datetime] = lambda: datetime.now().astimezone()
    lang: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    choice_label: Callable[[Node, str], str] | None = None  # for jr:choice-name
    itext: Callable[[str], str] | None = None
    refs: dict[str, str] = field(default_factory=dict)  # ${name} → absolute path, for raw XLSForm text
    form_version: str = ""  # version(): the form's version attribute


class Ctx:
    __slots__ = ("node", "pos", "size", "env")

    def __init__(self, node, pos: int, size: int, env: Env):
        self.node, self.pos, self.size, self.env = node, pos, size, env


Compiled = Callable[[Ctx], object]


def compile_expr(tree) -> Compiled:
    """Turn an AST from ``parser.parse`` into a callable ``f(ctx) -> value``."""
    return _compile(tree)


def _compile(node) -> Compiled:
    if isinstance(node, ast.Number):
        value = node.value
        return lambda c: value
    if isinstance(node, ast.Literal):
        value = node.value
        return lambda c: value
    if isinstance(node, ast.Negate):
        inner = _compile(node.operand)
        return lambda c: -to_number(inner(c))
    if isinstance(node, ast.Binary):
        return _compile_binary(node)
    if isinstance(node, ast.FunctionCall):
        from app.forms.xpath.functions import compile_call

        return compile_call(node.name, [_compile(a) for a in node.args], node.args)
    if isinstance(node, ast.Filter):
        primary = _compile(node.primary)
        preds = [_compile(p) for p in node.predicates]

        def filter_expr(c):
            nodes = primary(c)
            if not isinstance(nodes, list):
                raise CunFangError(ErrorCode.FORM_INVALID, reason="方括号只能跟在节点集合后面")
            return _apply_predicates(nodes, preds, c.env)

        return filter_expr
    if isinstance(node, ast.Path):
        return _compile_path(node)
    raise TypeError(f"unknown AST node {node!r}")


# --------------------------------------------------------------------------- operators


def _compile_binary(node: ast.Binary) -> Compiled:
    left, right, op = _compile(node.left), _compile(node.right), node.op
    if op == "or":
        return lambda c: to_boolean(left(c)) or to_boolean(right(c))
    if op == "and":
        return lambda c: to_boolean(left(c)) and to_boolean(right(c))
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return lambda c: compare(op, left(c), right(c))
    if op == "|":

        def union(c):
            a, b = left(c), right(c)
            if not isinstance(a, list) or not isinstance(b, list):
                raise CunFangError(ErrorCode.FORM_INVALID, reason="“|”两边都必须是节点")
            seen, out = set(), []
            for n in a + b:
                if id(n) not in seen:
                    seen.add(id(n))
                    out.append(n)
            out.sort(key=lambda n: n.order_key())
            return out

        return union
    return lambda c: arithmetic(op, to_number(left(c)), to_number(right(c)))


def arithmetic(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if math.isnan(a) or a == 0:
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if op == "mod":
        if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
            return math.nan
        if math.isinf(b):
            return a
        return math.fmod(a, b)
    raise ValueError(op)


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


def compare(op: str, a, b) -> bool:
    """XPath 1.0 comparison, existential over node-sets."""
    if isinstance(a, list):
        if isinstance(b, list):
            right = [_atom(n) for n in b]
            return any(_compare_atoms(op, _atom(x), y) for x in a for y in right)
        if isinstance(b, bool):
            return _compare_atoms(op, bool(a), b)
        return any(_compare_atoms(op, _atom(n), b) for n in a)
    if isinstance(b, list):
        return compare(_FLIP[op], b, a)
    return _compare_atoms(op, a, b)


def _atom(node):
    """A node's value for comparing: a date-time question's value is the instant it names (as JavaRosa
    compares its typed date-times), so 10:00+08:00 equals 02:00Z; anything else is its text."""
    text = node.string_value()
    bind = getattr(node, "bind", None)
    if text and bind is not None and bind.type == "dateTime":
        moment = parse_date_text(text)
        if moment is not None:
            return moment
    return text


def _compare_atoms(op: str, a, b) -> bool:
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            equal = to_boolean(a) == to_boolean(b)
        elif isinstance(a, (int, float)) or isinstance(b, (int, float)):
            x, y = to_number(a), to_number(b)
            equal = x == y or abs(x - y) < 1e-12  # ODK Collect's tolerance: 0.1 + 0.2 = 0.3
        else:
            equal = to_string(a) == to_string(b)
        return equal if op == "=" else not equal
    x, y = to_number(a), to_number(b)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


# --------------------------------------------------------------------------- paths


def _apply_predicates(nodes: list, preds: list[Compiled], env: Env) -> list:
    for pred in preds:
        size = len(nodes)
        kept = []
        for i, n in enumerate(nodes, 1):
            result = pred(Ctx(n, i, size, env))
            if isinstance(result, (int, float)) and not isinstance(result, (bool, DateValue)):
                if result == i:
                    kept.append(n)
            elif to_boolean(result):
                kept.append(n)
        nodes = kept
    return nodes


def _node_test(test: str) -> Callable[[object], bool]:
    if test in ("node()", "*"):
        return lambda n: True
    if test == "text()":
        return lambda n: False
    if test.endswith(":*"):
        return lambda n: True
    local = test.split(":", 1)[1] if ":" in test else test
    return lambda n: n.name == local


def _axis(axis: str, node) -> list:
    if axis == "child":
        return list(node.children)
    if axis == "self":
        return [node]
    if axis == "parent":
        return [node.parent] if node.parent is not None else []
    if axis == "attribute":
        return [Attr(k, node, v) for k, v in node.attrs.items()] if isinstance(node, Node) else []
    if axis in ("descendant", "descendant-or-self"):
        out = [node] if axis == "descendant-or-self" else []
        if isinstance(node, Node):
            for c in node.children:
                out.extend(c.iter())
        return out
    if axis in ("ancestor", "ancestor-or-self"):
        out = [node] if axis == "ancestor-or-self" else []
        p = node.parent
        while p is not None:
            out.append(p)
            p = p.parent
        return out
    if axis in ("following-sibling", "preceding-sibling"):
        if node.parent is None or isinstance(node, Attr):
            return []
        sibs = node.parent.children
        i = sibs.index(node)
        return list(sibs[i + 1 :]) if axis == "following-sibling" else list(reversed(sibs[:i]))
    raise CunFangError(ErrorCode.FORM_INVALID, reason=f"不支持的轴 {axis}::")


def _compile_step(step: ast.Step) -> Callable[[list, Env], list]:
    preds = [_compile(p) for p in step.predicates]
    axis = step.axis
    if axis == "child" and not step.test.endswith(")") and step.test != "*" and not step.test.endswith(":*"):
        name = step.test.split(":", 1)[1] if ":" in step.test else step.test

        def child_step(nodes, env):
            out = [c for n in nodes for c in n.children if c.name == name]
            return _apply_predicates(out, preds, env) if preds else out

        return child_step
    if axis == "self" and step.test == "node()" and not preds:
        return lambda nodes, env: nodes
    if axis == "parent" and step.test == "node()" and not preds:

        def parent_step(nodes, env):
            out, seen = [], set()
            for n in nodes:
                p = n.parent
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    out.append(p)
            return out

        return parent_step
    test = _node_test(step.test)
    reverse = axis in ("ancestor", "ancestor-or-self", "preceding-sibling")

    def general_step(nodes, env):
        out, seen = [], set()
        for n in nodes:
            selected = [m for m in _axis(axis, n) if test(m)]
            if preds:
                # positions count along the axis direction
                selected = _apply_predicates(selected, preds, env)
            for m in selected:
                if id(m) not in seen:
                    seen.add(id(m))
                    out.append(m)
        if len(nodes) > 1 or reverse:
            out.sort(key=lambda m: m.order_key())
        return out

    return general_step


def _compile_path(path: ast.Path) -> Compiled:
    steps = path.steps
    if path.start is None and steps and steps[0].axis == "xlsform-ref":
        name = steps[0].test

        def xlsform_ref(c):
            target = c.env.refs.get(name)
            if target is None:
                raise CunFangError(ErrorCode.FORM_UNKNOWN_REF, ref=name)
            return _compile_path(_absolute(target))(c)

        return xlsform_ref
    compiled = [_compile_step(s) for s in steps]
    if path.start == "/":
        simple = [s.test for s in steps] if all(
            s.axis == "child" and not s.predicates and ":" not in s.test and not s.test.endswith(")") and s.test != "*"
            for s in steps
        ) else None

        def absolute(c):
            root = c.env.primary if c.env.primary is not None else _document_of(c.node)
            if simple is not None:
                return _contextualized(root, simple, c.env.current or c.node)
            nodes = [root]
            for step in compiled:
                nodes = step(nodes, c.env)
            return nodes

        return absolute
    if path.start is None:

        def relative(c):
            nodes = [c.node]
            for step in compiled:
                nodes = step(nodes, c.env)
            return nodes

        return relative
    start = _compile(path.start)

    def from_expr(c):
        nodes = start(c)
        if not isinstance(nodes, list):
            raise CunFangError(ErrorCode.FORM_INVALID, reason="“/”前面必须是节点")
        for step in compiled:
            nodes = step(nodes, c.env)
        return nodes

    return from_expr


def _absolute(target: str) -> ast.Path:
    return ast.Path("/", [ast.Step("child", part) for part in target.strip("/").split("/")])


def _document_of(node):
    while node.parent is not None:
        node = node.parent
    return node


def _contextualized(root: Node, names: list[str], context) -> list:
    """Walk an absolute path, staying inside the repeat instances that hold ``context``.

    As in JavaRosa, ``/data/kids/name`` evaluated for a question in the second
    ``kids`` instance means that instance's ``name``. The last step is never
    pinned, so ``count(/data/kids)`` still counts every instance.
    """
    chain = context.ancestors() + [context] if context is not None and not isinstance(context, Attr) else []
    if chain and chain[0] is not root:
        chain = []
    nodes = [root]
    last = len(names) - 1
    for depth, name in enumerate(names):
        pinned = chain[depth + 1] if depth < last and depth + 1 < len(chain) else None
        if pinned is not None and pinned.name == name and len(nodes) == 1 and pinned.parent is nodes[0]:
            nodes = [pinned]
            continue
        chain = []
        nodes = [c for n in nodes for c in n.children if c.name == name]
    return nodes
