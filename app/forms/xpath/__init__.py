"""ODK XPath: parse, compile and evaluate form expressions."""

from __future__ import annotations

from app.forms.xpath.compiler import Ctx, Env, compile_expr
from app.forms.xpath.nodes import Node, document
from app.forms.xpath.parser import parse
from app.forms.xpath.values import DEVICE_TZ

__all__ = ["Ctx", "Env", "Node", "compile_expr", "document", "evaluate", "evaluate_standalone", "parse"]


def evaluate(expr: str, node: Node, env: Env | None = None):
    """Evaluate ``expr`` with ``node`` as the context node."""
    env = env or Env()
    DEVICE_TZ.set(env.now().tzinfo)
    return compile_expr(parse(expr))(Ctx(node, 1, 1, env))


def evaluate_standalone(expr: str, env: Env | None = None):
    """Evaluate an expression that needs no form (literals and functions only)."""
    root = Node("data")
    doc = document(root)
    env = env or Env(primary=doc, current=root)
    DEVICE_TZ.set(env.now().tzinfo)
    return compile_expr(parse(expr))(Ctx(root, 1, 1, env))
