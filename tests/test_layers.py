"""The layering rules: app/ and sync/ never import Qt (PySide6, PyQt, shiboken, qtawesome) or the ui package; the
import-linter contracts of pyproject.toml (server and client apart, the protocol in between) hold."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qtawesome", "ui")
DOMAIN_PACKAGES = ("app", "sync")


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def module_names(package: str) -> list[str]:
    """Every importable module of ``package``, found on disk (nothing is imported to find them).

    A module counts when each folder from the package down to it has an ``__init__.py``;
    ``__main__`` modules are left out because importing one runs it.
    """
    names = []
    for path in python_files(package):
        parts = path.relative_to(ROOT).with_suffix("").parts
        folders = [ROOT.joinpath(*parts[:i]) for i in range(1, len(parts))]
        if not all((folder / "__init__.py").exists() for folder in folders):
            continue
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names)


def forbidden_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]
    return found


DOMAIN_FILES = [path for package in DOMAIN_PACKAGES for path in python_files(package)]


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_qt_import_in_domain_code(path):
    assert forbidden_imports(path) == [], f"{path.relative_to(ROOT)} imports Qt or ui"


def test_scan_catches_a_qt_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom PySide6.QtCore import QObject\nimport ui.pages\nfrom . import x\n")
    assert forbidden_imports(sample) == ["line 2: PySide6.QtCore", "line 3: ui.pages"]


IMPORT_ALL = textwrap.dedent(
    """
    import importlib, json, sys, traceback

    FORBIDDEN, MODULES = json.loads(sys.argv[1]), json.loads(sys.argv[2])

    class NoQt:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in FORBIDDEN:
                raise ImportError("not allowed outside ui/: " + name)
            return None

    sys.meta_path.insert(0, NoQt())
    for name in list(sys.modules):  # nothing Qt may already be loaded (e.g. by a sitecustomize)
        if name.split(".")[0] in FORBIDDEN:
            del sys.modules[name]
    failures = {}
    for module in MODULES:
        try:
            importlib.import_module(module)
        except BaseException:
            failures[module] = traceback.format_exc()
    print(json.dumps({"imported": len(MODULES) - len(failures), "failures": failures}))
    """
)


def test_every_app_module_imports_without_qt():
    modules = module_names("app")
    assert "app" in modules
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, json.dumps(FORBIDDEN), json.dumps(modules)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    failures = "\n".join(f"--- {name}\n{trace}" for name, trace in report["failures"].items())
    assert not report["failures"], f"modules that need Qt or failed to import:\n{failures}"
    assert report["imported"] == len(modules)


def test_module_names_found_on_disk():
    names = module_names("app")
    assert names[0] == "app"
    assert all(name == "app" or name.startswith("app.") for name in names)
    assert not any(name.endswith("__main__") for name in names)


# ---------------------------------------------------------------------- import-linter contracts (pyproject.toml)


def contract_ids() -> list[str]:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [contract["id"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_the_contracts_are_written_down():
    assert {"domain-no-qt", "app-below-sync", "server-not-client", "protocol-neither-end"} <= set(contract_ids())


@pytest.mark.parametrize("contract", contract_ids())
def test_import_contract_kept(contract):
    """Each contract in pyproject.toml, checked by import-linter over every import statement (also the ones
    inside functions, which a module-level import test would miss)."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extra: pip install import-linter")
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(config_filename='pyproject.toml', limit_to_contracts=(sys.argv[1],), "
         "no_cache=True, no_logo=True))", contract],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
