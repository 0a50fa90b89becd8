"""Icons: FontAwesome glyphs drawn by qtawesome, cached as PNGs in resources/icons.

Importing qtawesome costs about 0.2 s at start-up, so the navigation icons it draws are kept as PNG files
(regenerate with ``python -m ui.icons``); a missing PNG falls back to drawing with qtawesome.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
COLOR = "#37474f"
SIZE = 48
NAV_ICONS = ("fa5s.home", "fa5s.address-book", "fa5s.edit", "fa5s.list-alt", "fa5s.sync-alt", "fa5s.file-excel",
             "fa5s.cog", "fa5s.calendar-alt")


def icon(name: str) -> QIcon:
    path = ICON_DIR / f"{name.replace('.', '-')}.png"
    if path.exists():
        return QIcon(str(path))
    import qtawesome as qta

    return qta.icon(name, color=COLOR)


def render_all() -> list[Path]:
    """Draw every cached icon with qtawesome (needs a QApplication)."""
    import qtawesome as qta

    written = []
    for name in NAV_ICONS:
        path = ICON_DIR / f"{name.replace('.', '-')}.png"
        qta.icon(name, color=COLOR).pixmap(SIZE, SIZE).save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    for written in render_all():
        print(written)
