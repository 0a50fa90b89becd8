"""The layering rule: app/ (and sync/) never import Qt or the ui package."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qtawesome", "ui")


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("app") + python_files("sync"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_qt_import_in_domain_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.relative_to(ROOT)} imports {name}"


def test_every_app_module_imports_without_qt():
    modules = [m.name for m in pkgutil.walk_packages([str(ROOT / "app")], prefix="app.")
               if not m.name.endswith("__main__")]
    script = textwrap.dedent(
        f"""
        import importlib, sys
        class NoQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {FORBIDDEN!r}:
                    raise ImportError("Qt is not allowed in app/: " + name)
                return None
        sys.meta_path.insert(0, NoQt())
        for module in {modules!r}:
            importlib.import_module(module)
        print(len({modules!r}))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == len(modules) > 5
