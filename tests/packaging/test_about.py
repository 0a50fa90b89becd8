"""帮助 → 关于村访通: name, the version from pyproject.toml, the data directory and the licence line."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.version import version
from ui.about import AboutDialog


def test_about_box_shows_version_data_dir_and_licence(qtbot, tmp_path):
    dialog = AboutDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "关于村访通"
    assert dialog.findChild(QLabel, "aboutTitle").text() == "村访通"
    assert dialog.version_label.text() == f"版本 {version()}"
    assert dialog.data_label.text() == f"数据目录：{tmp_path / 'data'}"
    assert dialog.findChild(QLabel, "aboutLicence").text().startswith("许可：")


def test_help_menu_opens_the_about_box(qtbot, tmp_path, monkeypatch):
    from app.store import Store
    from ui.main_window import MainWindow

    shown = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: shown.append(self.data_label.text()) or 0)
    store = Store.create(tmp_path / "data", "cunfang-secret")
    window = MainWindow(store)  # never shown or closed: closing would write the geometry to QSettings
    try:
        menus = {action.text(): action.menu() for action in window.menuBar().actions()}
        assert "帮助" in menus
        about = next(a for a in menus["帮助"].actions() if a.text() == "关于村访通")
        about.trigger()
        assert shown == [f"数据目录：{tmp_path / 'data'}"]
    finally:
        window.autosync.shutdown()
        window.status_timer.stop()
        window.deleteLater()
        qtbot.wait(10)  # the window goes before its store
        store.close()
