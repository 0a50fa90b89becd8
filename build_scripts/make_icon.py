"""Draw the program icon (a white 村 on a blue rounded square) into build_scripts/icons/.

    .venv/bin/python build_scripts/make_icon.py

Writes cunfang.png (256 px, the Linux desktop icon), cunfang.ico (Windows: 16–256 px) and cunfang.icns
(macOS: 16–1024 px). The files are committed; run this again only to change the icon. ICO and ICNS
are written here (both hold PNG images) so no image library beyond Qt is needed.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPainterPath

HERE = Path(__file__).resolve().parent / "icons"
BLUE = "#1565c0"
GLYPH = "\u6751"  # 村
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def cjk_family() -> str:
    for family in ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"):
        if family in QFontDatabase.families():
            return family
    sys.exit("no CJK font installed to draw 村 with (Debian/Ubuntu: apt install fonts-noto-cjk)")


def draw(size: int, family: str) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = size * 0.06
    square = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    path = QPainterPath()
    path.addRoundedRect(square, size * 0.18, size * 0.18)
    painter.fillPath(path, QColor(BLUE))
    font = QFont(family)
    font.setWeight(QFont.Weight.Bold)
    font.setPixelSize(max(int(size * 0.62), 8))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(square, Qt.AlignmentFlag.AlignCenter, GLYPH)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (Windows Vista and later read these)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    """An ICNS file of PNG elements (macOS 10.7 and later)."""
    body = b"".join(ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png for size, png in sorted(images.items()))
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts need the application
    family = cjk_family()
    HERE.mkdir(exist_ok=True)
    sizes = sorted(set(ICO_SIZES) | set(ICNS_TYPES))
    images = {size: draw(size, family) for size in sizes}
    (HERE / "cunfang.png").write_bytes(images[256])
    (HERE / "cunfang.ico").write_bytes(ico({s: images[s] for s in ICO_SIZES}))
    (HERE / "cunfang.icns").write_bytes(icns({s: images[s] for s in ICNS_TYPES}))
    for name in ("cunfang.png", "cunfang.ico", "cunfang.icns"):
        print(HERE / name, (HERE / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
