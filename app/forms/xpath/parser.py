"""Tokenizer and parser for ODK XPath (XPath 1.0 plus ODK's function names).

The parser turns an expression into a small AST. The same AST serves three uses:
compiling to a fast evaluator (``compiler.py``), finding which questions an
expression depends on (``deps.py``), and reporting syntax errors in plain Chinese
with the character position, which libxml2's XPath cannot do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.errors import CunFangError, ErrorCode

NODE_TYPES = frozenset({"node", "text", "comment", "processing-instruction"})
AXES = frozenset(
    {
        "ancestor",
        "ancestor-or-self",
        "attribute",
        "child",
        "descendant",
        "descendant-or-self",
        "following",
        "following-sibling",
        "namespace",
        "parent",
        "preceding",
        "preceding-sibling",
        "self",
    }
)
OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
_OPERATORS = ("//", "!=", "<=", ">=", "::", "..", "/", "|", "+", "-", "=", "<", ">", "*", "(", ")", "[", "]",
              ",", "@", ".", "$")
_NCNAME = r"[A-Za-z_\u00c0-\uffff][\w.\-\u00c0-\uffff]*"
_NAME_RE = re.compile(rf"{_NCNAME}(?::(?:{_NCNAME}|\*))?")
_NUMBER_RE = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_XLSFORM_REF_RE = re.compile(r"\$\{([^}]*)\}")


# --------------------------------------------------------------------------- AST


@dataclass(slots=True)
class Literal:
    value: str


@dataclass(slots=True)
class Number:
    value: float


@dataclass(slots=True)
class FunctionCall:
    name: str
    args: list


@dataclass(slots=True)
class Binary:
    op: str
    left: object
    right: object


@dataclass(slots=True)
class Negate:
    operand: object


@dataclass(slots=True)
class Step:
    axis: str
    test: str  # a name, "*", "prefix:*", or "node()" / "text()"
    predicates: list = field(default_factory=list)


@dataclass(slots=True)
class Path:
    """A location path. ``start`` is None for a relative path, "/" for an absolute
    one, or an expression (a filter expression such as ``instance('x')``)."""

    start: object
    steps: list


@dataclass(slots=True)
class Filter:
    primary: object
    predicates: list


@dataclass(slots=True)
class Token:
    kind: str  # "num", "str", "name", "op", "fn", "axis", "nodetype", "opname", "ref", "end"
    value: str
    pos: int


# --------------------------------------------------------------------------- errors


def syntax_error(expr: str, pos: int, problem: str) -> CunFangError:
    """A syntax error naming the position (1-based) and the text near it."""
    near = expr[max(0, pos - 8) : pos + 8]
    return CunFangError(ErrorCode.XPATH_SYNTAX, expr=expr, pos=pos + 1, near=near, problem=problem)


# --------------------------------------------------------------------------- tokenizer


def _glued_operator(name: str) -> str | None:
    """The operator at the start of a name met after an operand when a number follows it ("div1"), as
    JavaRosa reads it; a name such as "order" or "andd" stays a name (and a syntax error there)."""
    for op in OPERATOR_NAMES:
        if name.startswith(op) and name[len(op):][:1].isdigit():
            return op
    return None


def tokenize(expr: str) -> list[Token]:
    """Split an expression into tokens, resolving XPath's name/operator ambiguity."""
    tokens: list[Token] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
            continue
        prev = tokens[-1] if tokens else None
        # XPath 1.0 §3.7: after an operand, "*" multiplies and and/or/div/mod are operators.
        operand_before = prev is not None and not (
            prev.kind in ("opname", "axis") or (prev.kind == "op" and prev.value not in (")", "]", ".", ".."))
        )
        if ch in "\"'":
            end = expr.find(ch, i + 1)
            if end < 0:
                raise syntax_error(expr, i, "引号没有配对（字符串没有结束）")
            tokens.append(Token("str", expr[i + 1 : end], i))
            i = end + 1
            continue
        if ch == "$" and i + 1 < n and expr[i + 1] == "{":
            end = expr.find("}", i)
            if end < 0:
                raise syntax_error(expr, i, "${ 没有对应的 }")
            tokens.append(Token("ref", expr[i + 2 : end].strip(), i))
            i = end + 1
            continue
        m = _NUMBER_RE.match(expr, i)
        if m and (ch.isdigit() or (ch == "." and m.end() > i + 1)):
            tokens.append(Token("num", m.group(), i))
            i = m.end()
            continue
        m = _NAME_RE.match(expr, i)
        if m:
            name = m.group()
            j = m.end()
            while j < n and expr[j].isspace():
                j += 1
            nxt = expr[j : j + 2]
            glued = _glued_operator(name) if operand_before and name not in OPERATOR_NAMES else None
            if glued:  # "1div1", "1 mod1", "1and1": JavaRosa's lexer reads the operator and goes on after it
                tokens.append(Token("opname", glued, i))
                i += len(glued)
                continue
            if operand_before and name in OPERATOR_NAMES:
                tokens.append(Token("opname", name, i))
            elif operand_before and name not in OPERATOR_NAMES:
                raise syntax_error(expr, i, f"“{name}”前面缺少运算符（如 and、or、+、=）")
            elif nxt == "::":
                if name not in AXES:
                    raise syntax_error(expr, i, f"不认识的轴“{name}”")
                tokens.append(Token("axis", name, i))
                i = j + 2
                continue
            elif nxt[:1] == "(":
                tokens.append(Token("nodetype" if name in NODE_TYPES else "fn", name, i))
            else:
                tokens.append(Token("name", name, i))
            i = m.end()
            continue
        for op in _OPERATORS:
            if expr.startswith(op, i):
                if op == "*" and operand_before:
                    tokens.append(Token("opname", "*", i))
                elif op == "*":
                    tokens.append(Token("name", "*", i))
                else:
                    tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            raise syntax_error(expr, i, f"不认识的字符“{ch}”")
    tokens.append(Token("end", "", n))
    return tokens


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, expr: str):
        self.expr = expr
        self.tokens = tokenize(expr)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, value: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (value is None or tok.value == value)

    def expect(self, kind: str, value: str, problem: str) -> Token:
        if not self.at(kind, value):
            raise syntax_error(self.expr, self.tok.pos, problem)
        return self.advance()

    def fail(self, problem: str):
        raise syntax_error(self.expr, self.tok.pos, problem)

    # Grammar, lowest precedence first.
    def parse(self):
        if self.at("end"):
            self.fail("表达式是空的")
        node = self.or_expr()
        if not self.at("end"):
            tok = self.tok
            if tok.value in (")", "]"):
                self.fail(f"多了一个“{tok.value}”")
            self.fail(f"“{tok.value}”前面缺少运算符")
        return node

    def _binary(self, sub, ops: tuple[str, ...]):
        left = sub()
        while self.tok.kind in ("op", "opname") and self.tok.value in ops:
            op = self.advance().value
            if self.at("end"):
                self.fail(f"“{op}”后面缺少内容")
            left = Binary(op, left, sub())
        return left

    def or_expr(self):
        return self._binary(self.and_expr, ("or",))

    def and_expr(self):
        return self._binary(self.equality_expr, ("and",))

    def equality_expr(self):
        return self._binary(self.relational_expr, ("=", "!="))

    def relational_expr(self):
        return self._binary(self.additive_expr, ("<", "<=", ">", ">="))

    def additive_expr(self):
        return self._binary(self.multiplicative_expr, ("+", "-"))

    def multiplicative_expr(self):
        return self._binary(self.unary_expr, ("*", "div", "mod"))

    def unary_expr(self):
        if self.at("op", "-"):
            self.advance()
            return Negate(self.unary_expr())
        return self.union_expr()

    def union_expr(self):
        return self._binary(self.path_expr, ("|",))

    def path_expr(self):
        tok = self.tok
        if tok.kind in ("num", "str", "fn", "ref") or (tok.kind == "op" and tok.value in ("(", "$")):
            primary = self.primary_expr()
            predicates = self.predicates()
            node = Filter(primary, predicates) if predicates else primary
            if self.at("op", "/") or self.at("op", "//"):
                steps = self.relative_steps()
                return Path(node, steps)
            return node
        return self.location_path()

    def primary_expr(self):
        tok = self.advance()
        if tok.kind == "num":
            return Number(float(tok.value))
        if tok.kind == "str":
            return Literal(tok.value)
        if tok.kind == "ref":
            return Path(None, [Step("xlsform-ref", tok.value)])
        if tok.kind == "op" and tok.value == "$":
            self.fail("不支持 $变量；引用问题请写 ${问题名}")
        if tok.kind == "op" and tok.value == "(":
            if self.at("op", ")"):
                self.fail("括号里是空的")
            inner = self.or_expr()
            self.expect("op", ")", "括号没有配对（缺少“)”）")
            return inner
        # function call
        self.expect("op", "(", "函数名后面需要“(”")
        args = []
        if not self.at("op", ")"):
            while True:
                if self.at("end"):
                    self.fail(f"函数 {tok.value}( 的括号没有配对（缺少“)”）")
                args.append(self.or_expr())
                if self.at("op", ","):
                    self.advance()
                    continue
                break
        if not self.at("op", ")"):
            self.fail(f"函数 {tok.value}( 的括号没有配对（缺少“)”），或参数之间缺少逗号")
        self.advance()
        return FunctionCall(tok.value, args)

    def predicates(self) -> list:
        preds = []
        while self.at("op", "["):
            self.advance()
            if self.at("op", "]"):
                self.fail("方括号里是空的")
            preds.append(self.or_expr())
            self.expect("op", "]", "方括号没有配对（缺少“]”）")
        return preds

    def location_path(self):
        if self.at("op", "/"):
            self.advance()
            if self._step_starts():
                return Path("/", self.steps())
            return Path("/", [])
        if self.at("op", "//"):
            self.advance()
            return Path("/", [Step("descendant-or-self", "node()"), *self.steps()])
        if not self._step_starts():
            tok = self.tok
            if tok.kind == "end":
                self.fail("表达式不完整，结尾缺少内容")
            if tok.value in (")", "]", ","):
                self.fail(f"“{tok.value}”前面缺少内容")
            self.fail(f"这里不能出现“{tok.value}”")
        return Path(None, self.steps())

    def _step_starts(self) -> bool:
        tok = self.tok
        return tok.kind in ("name", "axis", "nodetype") or (tok.kind == "op" and tok.value in ("@", ".", ".."))

    def relative_steps(self) -> list:
        steps = []
        while self.at("op", "/") or self.at("op", "//"):
            if self.advance().value == "//":
                steps.append(Step("descendant-or-self", "node()"))
            if not self._step_starts():
                self.fail("“/”后面缺少节点名")
            steps.append(self.step())
        return steps

    def steps(self) -> list:
        steps = [self.step()]
        steps.extend(self.relative_steps())
        return steps

    def step(self) -> Step:
        tok = self.advance()
        if tok.kind == "op" and tok.value == ".":
            return Step("self", "node()")
        if tok.kind == "op" and tok.value == "..":
            return Step("parent", "node()")
        axis = "child"
        if tok.kind == "op" and tok.value == "@":
            axis = "attribute"
            tok = self.advance()
        elif tok.kind == "axis":
            axis = tok.value
            tok = self.advance()
        if tok.kind == "nodetype":
            self.expect("op", "(", "缺少“(”")
            self.expect("op", ")", "缺少“)”")
            test = tok.value + "()"
        elif tok.kind == "name":
            test = tok.value
        else:
            raise syntax_error(self.expr, tok.pos, "这里需要一个节点名")
        return Step(axis, test, self.predicates())


def parse(expr: str):
    """Parse an ODK XPath expression into an AST, raising CunFangError(XPATH_SYNTAX)."""
    return _Parser(expr).parse()


def xlsform_refs(expr: str) -> list[str]:
    """The ``${name}`` references in an XLSForm expression, in order."""
    return [m.strip() for m in _XLSFORM_REF_RE.findall(expr)]
