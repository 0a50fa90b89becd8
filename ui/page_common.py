"""What the pages share: the built-in form catalogue and table/card helpers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QGroupBox, QHeaderView, QLabel, QTableView, QVBoxLayout

from app.errors import FormCheckFailed

FORMS_DIR = Path(__file__).resolve().parents[1] / "resources" / "forms"


def builtin_forms() -> list[Path]:
    return sorted(FORMS_DIR.glob("*.xlsx"))


class FormCatalog:
    """Forms loaded once per path (loading converts the workbook; pyxform is imported on first use)."""

    def __init__(self):
        self._cache: dict[Path, object] = {}

    def get(self, path: Path):
        if path not in self._cache:
            from app.forms.xlsform import load_form

            self._cache[path] = load_form(path)
        return self._cache[path]

    def by_id(self, form_id: str):
        for path in builtin_forms():
            try:
                form = self.get(path)
            except FormCheckFailed:
                continue
            if form.form_id == form_id:
                return form
        return None


def _table(view: QTableView) -> QTableView:
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    return view


def _card(title: str, value: str, name: str) -> QGroupBox:
    box = QGroupBox(title)
    box.setObjectName(name)
    label = QLabel(value)
    label.setObjectName(name + "Value")
    label.setStyleSheet("font-size: 26px; font-weight: bold; color: #1565c0;")
    QVBoxLayout(box).addWidget(label)
    return box
