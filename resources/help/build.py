"""Regenerate the pictures of the in-app guide (帮助 → 使用说明, ui/help.py) from the real window.

    .venv/bin/python resources/help/build.py        # offscreen; writes resources/help/*.png (commit them)

Each picture is the real page, on a 1366×768 laptop less its 40 px taskbar at 100 %, with the practice township
(app/practice.py: fictional people only) and then scaled to GUIDE_WIDTH and reduced to 256 colours, so the PNGs
stay small. Window state goes to a scratch folder, never to the user's own QSettings. Needs a CJK font
(Debian: fonts-noto-cjk), otherwise Chinese renders as boxes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREEN = (1366, 768 - 40)
GUIDE_WIDTH = 560  # within the guide's text column in its 640 px window (no sideways scrolling)

# picture → what it shows; ui/help.py names each one in the step it illustrates
PICTURES = ("first-run", "dashboard", "visit", "records", "export")


def settle(app, seconds: float = 0.5) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def save(widget, name: str, part: tuple[int, int, int, int] | None = None) -> None:
    """The widget's picture (``part``: x, y, width, height of it, at the laptop's size), GUIDE_WIDTH wide."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QImage

    image = (widget.grab(QRect(*part)) if part else widget.grab()).toImage()
    if os.environ.get("HELP_FULL"):
        widget.grab().save(str(Path(os.environ["HELP_FULL"]) / f"{name}.png"))
    if image.width() > GUIDE_WIDTH:
        image = image.scaledToWidth(GUIDE_WIDTH, Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither)
    if not image.save(str(HERE / f"{name}.png"), "PNG", 9):
        raise SystemExit(f"could not write {name}.png")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # never the user's own settings
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from app.practice import open_practice
    from ui.app_main import make_app
    from ui.main_window import MainWindow
    from ui.startup import FirstRunDialog

    app = make_app()
    scratch = Path(tempfile.mkdtemp())
    first = FirstRunDialog(scratch / "first")
    first.author.setText("李秀兰")
    first.town.setEditText("城关镇")
    first.show()
    settle(app)
    save(first, "first-run")
    first.close()

    store = open_practice(scratch / "data")
    window = MainWindow(store)
    window.autosync.timer.stop()
    window.show()
    window.showNormal()  # it opens maximised on a screen of its own size; the laptop's is SCREEN
    window.resize(*SCREEN)
    settle(app, 1.0)
    save(window, "dashboard", (0, 63, 860, 480))  # the overdue list
    elder = next(p for p in window.dashboard.overdue_rows if p["kind"] == "elder")
    window.show_page(window.fill)
    window.fill.start("elder_visit", person=store.get_person(elder["id"]))
    settle(app, 1.0)
    save(window, "visit", (130, 70, 800, 450))  # the person, the sections, the first questions
    window.show_page(window.records)
    settle(app, 1.0)
    save(window, "records", (120, 63, 800, 450))
    window.show_page(window.export)
    settle(app)
    save(window, "export", (120, 63, 800, 450))
    window.autosync.shutdown()
    window.close()
    store.close()
    print(f"{len(PICTURES)} pictures in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
