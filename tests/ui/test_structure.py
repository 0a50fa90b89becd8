"""ui/ holds widgets only: no SQL, no database connection; the main window's pages come from one registry."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI_FILES = sorted((ROOT / "ui").rglob("*.py"))
# Statements as this code base writes them (keywords in capitals: "select one from file" is an XLSForm type).
SQL = re.compile(r"\b(SELECT\b.+\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b"
                 r"|PRAGMA\s+\w+|CREATE\s+(TABLE|INDEX|TRIGGER)\b|DROP\s+TABLE\b|ALTER\s+TABLE\b)", re.S)
# Attributes that reach the database itself: the connection, raw statements, sqlite-utils' tables.
DATABASE = {"conn", "execute", "executemany", "executescript", "query", "db"}


def database_uses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL {node.value[:60]!r}")
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if SQL.search(text):
                found.append(f"line {node.lineno}: SQL {text[:60]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in DATABASE:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_ui_holds_no_sql_and_never_touches_the_connection(path):
    assert database_uses(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)}: SQL and the connection live in app/store/ (a function per entity there)")


def test_the_scan_finds_sql_and_connections():
    sample = ('rows = store.query("SELECT name FROM persons WHERE id = ?", [x])\n'
              'store.conn.execute(f"UPDATE records SET status = {s} WHERE uuid = ?")\n'
              'label.setText("选择 SELECT 一项")\nwindow.exec()\n')
    found = database_uses(sample)
    assert {f.split(":")[0] for f in found} == {"line 1", "line 2"}, found
    assert {".query", ".conn", ".execute"} <= {f.split(": ")[1] for f in found}
    assert sum("SQL" in f for f in found) >= 2


def test_pages_are_one_registry_by_key(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.store import Store
    from app.store.keyring import FAST_KDF
    from ui.main_window import PAGE_INDEX, PAGES, MainWindow

    keys = [spec.key for spec in PAGES]
    assert len(set(keys)) == len(keys) and len({s.shortcut for s in PAGES}) == len(PAGES)
    store = Store.create(tmp_path / "d", "secret-pass", kdf=FAST_KDF)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert [window.nav.item(i).toolTip() for i in range(window.nav.count())] == [
        f"{spec.label}（{spec.shortcut}）" for spec in PAGES]
    for spec in PAGES:
        digit = spec.shortcut.split("+")[1]
        QTest.keyClick(window, getattr(Qt.Key, f"Key_{digit}"), Qt.KeyboardModifier.ControlModifier)
        assert window.nav.currentRow() == PAGE_INDEX[spec.key]
        # each page sits in its scroll area (a page never grows the window)
        assert window.stack.currentWidget().widget() is window.built(spec.key) is window.page(spec.key)
    window.close()  # the store is closed with the widgets, at teardown (a table may still fetch a page)
