"""`cunfang --self-test`, run in this process on the offscreen Qt platform (tests/packaging/test_bundle.py
runs it from a real PyInstaller bundle)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import selftest
from app.selftest import Check, CheckFailed, run_checks
from ui import selftest_qt
from ui.entry import main as cunfang

LABELS = ["版本信息", "加密数据库", "姓名检索", "加密组件", "内置表单", "填写表单", "导出Excel", "图形界面", "中文字体", "界面组件"]


@pytest.fixture
def fake_home(tmp_path, monkeypatch) -> Path:
    """A home directory of its own, so the per-user data directory the app would use is known and empty."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("HOME", "USERPROFILE"):
        monkeypatch.setenv(name, str(home))
    for name, sub in (("XDG_DATA_HOME", ".local/share"), ("APPDATA", "AppData/Roaming"),
                      ("LOCALAPPDATA", "AppData/Local")):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("CUNFANG_DATA_DIR", raising=False)
    return home


def test_self_test_passes_and_prints_one_line_per_check(qapp, fake_home, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cunfang(["--self-test"])
    assert exit_info.value.code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("：", 1)[0] for line in lines[:-1]] == LABELS
    assert all("：通过 — " in line for line in lines[:-1]), lines
    assert lines[-1] == f"自检通过：{len(LABELS)} 项全部通过。"
    assert "村访通 0" in lines[0] or "村访通 1" in lines[0]  # the version from pyproject.toml
    assert "自检县自检镇自检村一组8号" in lines[LABELS.index("填写表单")]  # the form engine calculated the address
    assert "“村访通”的字形齐全" in lines[LABELS.index("中文字体")]


def test_self_test_never_touches_the_real_data_directory(qapp, fake_home):
    from app.paths import data_dir

    real = data_dir()
    assert fake_home in real.parents
    results = run_checks(selftest_qt.CHECKS)
    assert all(r.ok for r in results), [r.line() for r in results]
    assert not real.exists()
    assert not list(fake_home.rglob("*.db"))
    assert "CUNFANG_DATA_DIR" not in os.environ  # pointed at the temporary directory only while it ran


def test_a_failing_check_is_reported_and_the_others_still_run(fake_home, capsys, monkeypatch):
    def broken(ctx):
        raise CheckFailed("故意失败")

    def crashing(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(selftest, "DOMAIN_CHECKS", selftest.DOMAIN_CHECKS[:2])  # version and store: quick
    code = selftest.main([Check("坏的检查", broken), Check("崩溃的检查", crashing)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 1
    assert lines[0].startswith("版本信息：通过") and lines[1].startswith("加密数据库：通过")
    assert lines[2].startswith("坏的检查：失败 — 故意失败")
    assert lines[3].startswith("崩溃的检查：失败 — RuntimeError: boom")
    assert lines[-1] == "自检失败：4 项中 2 项失败（坏的检查、崩溃的检查）。"


def test_a_bundle_without_the_forms_fails_with_a_plain_reason(fake_home, monkeypatch):
    monkeypatch.setattr("app.forms.library.builtin_paths", lambda: [])
    results = {r.label: r for r in run_checks()}
    assert not results["内置表单"].ok and "找不到内置表单" in results["内置表单"].detail
    assert not results["填写表单"].ok and "需要先通过" in results["填写表单"].detail
    assert not results["导出Excel"].ok
    assert results["加密数据库"].ok


def test_missing_chinese_font_fails_the_font_check(qapp, monkeypatch):
    monkeypatch.setattr(selftest_qt, "cjk_font", lambda: None)
    with pytest.raises(CheckFailed, match="找不到能显示中文的字体"):
        selftest_qt.check_chinese_font(None)


def test_a_font_without_chinese_glyphs_fails_the_font_check(qapp, monkeypatch):
    from PySide6.QtGui import QFont, QFontDatabase

    latin = [f for f in QFontDatabase.families()
             if f not in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)]
    if not latin:
        pytest.skip("every installed font covers Chinese")
    font = QFont(latin[0], 24)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)  # no fallback to a CJK font for missing glyphs
    monkeypatch.setattr(selftest_qt, "cjk_font", lambda: font)
    with pytest.raises(CheckFailed, match="缺少这些字的字形"):
        selftest_qt.check_chinese_font(None)
