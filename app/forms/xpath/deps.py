"""Which instance paths an expression reads, found statically from its AST.

The result feeds the form's dependency graph: after one answer changes, only the
binds that read it (directly or through other calculations) are evaluated again.
Paths are generic (no repeat positions); ``/data/kids/*`` means "anything under".
"""

from __future__ import annotations

from app.forms.xpath import parser as ast

ANY = "*"


def dependencies(tree, context: str | None, refs: dict[str, str] | None = None) -> set[str]:
    """Generic absolute paths that ``tree`` reads when evaluated at ``context``."""
    found: set[str] = set()
    _walk(tree, context, context, refs or {}, found)
    return found


def _walk(node, ctx: str | None, current: str | None, refs, found: set[str]) -> str | None:
    """Collect dependencies; return the static path the node selects, if it is a path."""
    if isinstance(node, (ast.Literal, ast.Number)):
        return None
    if isinstance(node, ast.Negate):
        _walk(node.operand, ctx, current, refs, found)
        return None
    if isinstance(node, ast.Binary):
        left = _walk(node.left, ctx, current, refs, found)
        right = _walk(node.right, ctx, current, refs, found)
        return left if node.op == "|" and left == right else None
    if isinstance(node, ast.FunctionCall):
        base = node.name.split(":", 1)[-1]
        if base == "current" and not node.args:
            return current
        if base == "instance":
            return None
        for arg in node.args:
            _walk(arg, ctx, current, refs, found)
        if base == "choice-name" and len(node.args) == 2 and isinstance(node.args[1], ast.Literal):
            try:
                _walk(ast.parse(node.args[1].value.strip()), current, current, refs, found)
            except Exception:  # noqa: BLE001 - a bad path here is reported when evaluated
                pass
        return None
    if isinstance(node, ast.Filter):
        base = _walk(node.primary, ctx, current, refs, found)
        for pred in node.predicates:
            _walk(pred, base, current, refs, found)
        return base
    if isinstance(node, ast.Path):
        return _walk_path(node, ctx, current, refs, found)
    return None


def _walk_path(path: ast.Path, ctx, current, refs, found: set[str]) -> str | None:
    steps = path.steps
    if path.start is None and steps and steps[0].axis == "xlsform-ref":
        target = refs.get(steps[0].test)
        if target:
            found.add(target)
        return target
    if path.start == "/":
        base: str | None = ""
    elif path.start is None:
        base = ctx
    else:
        base = _walk(path.start, ctx, current, refs, found)
    for step in steps:
        if base is None:
            for pred in step.predicates:
                _walk(pred, None, current, refs, found)
            continue
        if step.axis == "self":
            pass
        elif step.axis == "parent":
            base = base.rsplit("/", 1)[0] if base.count("/") > 1 else base
        elif step.axis == "child" and not step.test.endswith(")") and "*" not in step.test:
            base = f"{base}/{step.test.split(':')[-1]}"
        elif step.axis == "attribute":
            pass
        else:
            found.add(f"{base}/{ANY}")
            base = None
            continue
        for pred in step.predicates:
            _walk(pred, base, current, refs, found)
    if base:
        found.add(base)
    return base
