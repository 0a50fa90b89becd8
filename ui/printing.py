"""Printing: a record or a blank form as an A4 PDF (the layout is app/forms/printout.py; this draws it).

Qt's rich text (``QTextDocument``) lays the HTML out on A4 pages of a ``QPdfWriter`` (QtGui, no print
module needed), in the app's Chinese font, with a footer on every page: the form, the record number and
第 x 页 / 共 y 页. The person then prints the PDF from any PDF viewer. Rendering a visit record takes
well under a second, so it runs on the UI thread.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QRawFont,
    QTextDocument,
)
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.forms.printout import Block, Printout, blank_printout, date_text, html_blocks, record_printout

# Page margins in millimetres: a wider left margin leaves room to bind or punch the sheets.
MARGINS_MM = (20.0, 15.0, 15.0, 18.0)  # left, top, right, bottom (the footer sits in the bottom margin)
RESOLUTION = 96  # lengths in the HTML are CSS pixels (1/96 inch); fonts are in points
IMAGE_WIDTH_PX = {"signature": 170, "image": 260}


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate("Printing", text, disambiguation, n)


def print_font() -> QFont:
    from ui.app_main import CJK_FONTS

    font = QFont()
    font.setFamilies(list(CJK_FONTS))  # the first one installed is used, as on screen
    font.setPointSizeF(10.5)  # 五号, the size of Chinese official forms
    # Shaping swaps Latin letters and digits for glyph variants that Qt's PDF writer cannot map back to
    # characters: record numbers would print but not copy or search. CJK text needs no shaping.
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font


class _Pages:
    """Blocks placed top to bottom on A4 pages; a block never splits unless it is taller than a page."""

    def __init__(self, writer: QPdfWriter, printout: Printout, images: dict[str, bytes]):
        self.writer, self.printout = writer, printout
        self.per_mm = RESOLUTION / 25.4
        self.left, self.top, right, self.bottom = (m * self.per_mm for m in MARGINS_MM)
        self.page = writer.pageLayout().fullRectPixels(RESOLUTION)
        self.width = self.page.width() - self.left - right
        self.height = self.page.height() - self.top - self.bottom
        self.font = print_font()
        self.images = self._images(images)
        self.pages: list[list[tuple[float, QTextDocument, float, float]]] = [[]]  # y, block, from, height
        self.y = 0.0
        self.last_ruled = False

    def _images(self, images: dict[str, bytes]) -> dict[str, QImage]:
        out = {}
        for name, content in images.items():
            image = QImage.fromData(content)
            if image.isNull():
                continue
            kind = "signature" if any(getattr(f, "attachment", "") == name and f.kind == "signature"
                                      for f in self.printout.fields()) else "image"
            shown = IMAGE_WIDTH_PX[kind]
            image = image.scaledToWidth(min(image.width(), shown * 3), Qt.TransformationMode.SmoothTransformation)
            image.setDevicePixelRatio(image.width() / shown)  # laid out ``shown`` CSS pixels wide, printed sharp
            out[name] = image
        return out

    def document(self, html: str) -> QTextDocument:
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.writer)
        doc.setDefaultFont(self.font)
        doc.setDocumentMargin(0)
        for name, image in self.images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"attachment:{name}"), image)
        doc.setHtml(html)
        doc.setTextWidth(self.width)
        return doc

    def new_page(self) -> None:
        self.pages.append([])
        self.y = 0.0
        self.last_ruled = False

    def place(self, blocks: list[Block]) -> None:
        docs = [self.document(b.html) if b.html else None for b in blocks]
        heights = [d.size().height() if d is not None else 0.0 for d in docs]
        headers: dict[str, QTextDocument] = {}
        for i, block in enumerate(blocks):
            need = heights[i]
            j = i
            while blocks[j].keep_with_next and j + 1 < len(blocks):  # a heading goes with what follows it
                j += 1
                need += heights[j]
            gap = block.gap_before if self.y > 0 else 0
            if self.y > 0 and self.y + gap + need > self.height and need <= self.height:
                self.new_page()
                gap = 0
            self.y += gap
            if self.y == 0 and block.header:  # a table continued from the last page: its headings again
                header = headers.setdefault(block.header, self.document(block.header))
                self.add(header, True)
            if docs[i] is not None:
                self.add(docs[i], block.ruled)

    def add(self, doc: QTextDocument, ruled: bool) -> None:
        if ruled and self.last_ruled:
            self.y -= 2  # adjoining rows share one border line (a table ends a pixel above its document's end)
        height = doc.size().height()
        if self.y > 0 and self.y + height > self.height:
            self.new_page()
        offset = 0.0
        while True:  # a block taller than a page (a very long answer) continues overleaf
            part = min(height - offset, self.height - self.y)
            self.pages[-1].append((self.y, doc, offset, part))
            self.y += part
            offset += part
            if offset >= height - 0.5:
                break
            self.new_page()
        self.last_ruled = ruled

    def draw(self) -> int:
        painter = QPainter()
        if not painter.begin(self.writer):
            raise OSError(tr("无法写入文件"))
        try:
            footer_font = QFont(self.font)
            footer_font.setPointSizeF(8.5)
            total = len(self.pages)
            for number, placed in enumerate(self.pages):
                if number:
                    self.writer.newPage()
                for y, doc, offset, part in placed:
                    painter.save()
                    painter.translate(self.left, self.top + y - offset)
                    doc.drawContents(painter, QRectF(0, offset, self.width, part))
                    painter.restore()
                painter.setFont(footer_font)
                painter.setPen(Qt.GlobalColor.darkGray)
                line = QRectF(self.left, self.page.height() - self.bottom + 3 * self.per_mm, self.width,
                              6 * self.per_mm)
                painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.printout.footer)
                painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                                 tr("第 {page} 页 / 共 {pages} 页").format(page=number + 1, pages=total))
        finally:
            painter.end()
        return len(self.pages)


def render_pdf(printout: Printout, path: Path, *, images: dict[str, bytes] | None = None) -> int:
    """Write ``printout`` to ``path`` as an A4 PDF; returns the number of pages."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("render_pdf needs a QGuiApplication")
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Portrait)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    writer.setResolution(RESOLUTION)
    writer.setTitle(printout.title)
    writer.setCreator(tr("村访通 CunFang"))
    pages = _Pages(writer, printout, images or {})
    blocks = html_blocks(printout, images=set(pages.images))
    pages.place(blocks)
    count = pages.draw()  # the file is complete when the painter ends
    _searchable(path, "".join(b.html for b in blocks) + printout.footer + tr("第 {page} 页 / 共 {pages} 页"))
    return count


def _searchable(path: Path, printed: str) -> None:
    """Make the PDF's text read as printed: 户, 门, 页, not 戶 or the radicals ⻔, ⻚.

    Qt maps each glyph back to the lowest code point that shows it, and a CJK font draws 户 and 戶, or
    门 and the radical ⻔ (U+2ED4), with one glyph: copying or searching the PDF would find the wrong
    character. Qt writes its ToUnicode maps uncompressed as ``[<XXXX> …]``; where an entry is not a
    character on the page but shares its glyph with one, it becomes that one, four hex digits for
    four, so no offset in the file moves.
    """
    raw = QRawFont.fromFont(print_font())
    if not raw.isValid():
        return
    chars = sorted({c for c in printed if 0x2E80 <= ord(c) <= 0xFFFF})
    preferred = {glyph: char for char, glyph in zip(chars, raw.glyphIndexesForString("".join(chars)), strict=True)
                 if glyph}
    shown = set(chars)

    def entry(match: re.Match) -> bytes:
        char = chr(int(match.group(1), 16))
        if char in shown or not 0x2E80 <= ord(char) <= 0xFFFF:
            return match.group(0)
        better = preferred.get(raw.glyphIndexesForString(char)[0])
        return b"<%04X>" % ord(better) if better else match.group(0)

    def fix(match: re.Match) -> bytes:
        return re.sub(rb"<([0-9A-Fa-f]{4})>", entry, match.group(0))

    content = path.read_bytes()
    fixed = re.sub(rb"beginbfrange.*?endbfrange", lambda m: re.sub(rb"\[[^\]]*\]", fix, m.group(0)), content,
                   flags=re.DOTALL)
    if fixed != content:
        path.write_bytes(fixed)


# ---------------------------------------------------------------------------------------------- records


def record_document(store, library, record_uuid: str, *, form=None, data: dict | None = None
                    ) -> tuple[Printout, dict[str, bytes]]:
    """A stored record's printout and its photos/signatures. ``form``/``data`` override the stored ones
    (the filler prints what is on screen, saved or not); the form is otherwise the record's own version."""
    from app.errors import CunFangError, ErrorCode
    from app.store import STATUS_LABELS

    record = store.get_record(record_uuid)
    if form is None:
        if library is None:
            from app.forms.library import FormLibrary

            library = FormLibrary(store)
        form = library.get(record["form_id"], record["form_version"])
        if form is None:
            raise CunFangError(ErrorCode.FORM_UNREADABLE, path=record["form_id"],
                               reason=tr("本机没有这个表单，无法打印这条记录"))
    status = STATUS_LABELS.get(record["status"], record["status"])
    if record["revision"] and record["revision"] > 1:
        status = tr("{status}（第 {revision} 版）").format(status=status, revision=record["revision"])
    town, village = record_place(store, record.get("village_id"))
    printout = record_printout(form, record["data"] if data is None else data, record_id=record_uuid,
                               filled_on=_local_date(record["created_at"]), status=status, town=town, village=village)
    wanted = {f.attachment for f in printout.fields() if getattr(f, "attachment", "")}
    images = {}
    if wanted:
        from app.store.records import attachments_of

        for row in attachments_of(store, record_uuid):
            if row["name"] in wanted:
                images[row["name"]] = store.attachment(row["hash"])
    return printout, images


def record_place(store, village_id: str | None) -> tuple[str, str]:
    """The township and village a record belongs to (the store's villages table); without a village, the
    township this laptop is set up for, and no village."""
    row = next((v for v in store.villages() if v["id"] == village_id), None) if village_id else None
    if row is not None:
        return row.get("town") or store.get_setting("town") or "", row.get("name") or ""
    return store.get_setting("town") or "", ""


def _local_date(iso: str) -> str:
    try:
        return date_text(datetime.fromisoformat(iso).astimezone().date().isoformat())
    except (TypeError, ValueError):
        return date_text((iso or "")[:10])


def print_record(store, library, record_uuid: str, path: Path, **overrides) -> int:
    printout, images = record_document(store, library, record_uuid, **overrides)
    return render_pdf(printout, path, images=images)


def print_blank(form, path: Path) -> int:
    return render_pdf(blank_printout(form), path)


# ---------------------------------------------------------------------------------------------- dialogs


def suggested_path(name: str) -> str:
    from ui.page_common import suggested_file

    return suggested_file(name, suffix=".pdf", dated=False)  # a record's title carries its date already


def ask_pdf_path(parent: QWidget, name: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, tr("保存为 PDF"), suggested_path(name), tr("PDF 文件 (*.pdf)"))
    if not path:
        return None
    return Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")


def saved(parent: QWidget, path: Path, pages: int) -> None:
    """Say where the PDF went; 打开 shows it in the system's PDF viewer, to print from there."""
    answer = QMessageBox.information(
        parent, tr("已导出 PDF"), tr("已保存 %n 页 A4 PDF：\n{path}\n\n可用 PDF 阅读器打开后打印。", "", pages)
        .format(path=path), QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
        QMessageBox.StandardButton.Close)
    if answer == QMessageBox.StandardButton.Open:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def save_record_pdf(parent: QWidget, store, library, record_uuid: str, *, name: str = "", **overrides
                    ) -> Path | None:
    """Ask where, then print a record to PDF (打印/导出PDF…). Returns the path, or None if cancelled/failed."""
    from ui.errors import show_error

    path = ask_pdf_path(parent, name or record_uuid[:8])
    if path is None:
        return None
    try:
        pages = print_record(store, library, record_uuid, path, **overrides)
    except Exception as exc:  # noqa: BLE001 - shown plainly
        show_error(parent, exc, tr("没有导出 PDF"))
        return None
    saved(parent, path, pages)
    return path


def save_blank_pdf(parent: QWidget, form) -> Path | None:
    """Ask where, then print a blank form to PDF (打印空白表…)."""
    from ui.errors import show_error

    path = ask_pdf_path(parent, tr("{title}（空白表）").format(title=form.title or form.form_id))
    if path is None:
        return None
    try:
        pages = print_blank(form, path)
    except Exception as exc:  # noqa: BLE001 - shown plainly
        show_error(parent, exc, tr("没有导出 PDF"))
        return None
    saved(parent, path, pages)
    return path


# ---------------------------------------------------------------------------------------------- recovery sheet


def key_lines(key: str, per_line: int = 4) -> list[str]:
    """A recovery key as it is shown and printed: groups of four, four groups a line, spaced for copying."""
    groups = [g for g in key.split("-") if g]
    return ["  ".join(groups[i:i + per_line]) for i in range(0, len(groups), per_line)]


def recovery_sheet_pdf(key: str, path: Path, *, login: str = "", town: str = "") -> None:
    """恢复密钥单: one A4 page with the key in large type and where to keep it, to print and lock away."""
    import html

    lines = "<br>".join(html.escape(line) for line in key_lines(key))
    rows = [(tr("乡镇"), town), (tr("管理员用户名"), login), (tr("生成日期"), f"{datetime.now():%Y-%m-%d}")]
    cell = "<tr><td style='padding:4px 16px 4px 0'>{}：</td><td>{}</td></tr>"
    table = "".join(cell.format(html.escape(a), html.escape(b or "")) for a, b in rows)
    use = tr("管理员忘记密码时，用这个密钥打开本机的数据（登录窗口 → 管理员忘记密码）。")
    letters = tr("字母不分大小写；O 与 0、I 与 1、B 与 8 看不清时按字母输入即可。")
    keep = tr("请锁在办公室的柜子里；不要拍照，不要存在电脑或手机里。")
    body = (f"<h1 style='font-size:20pt'>{html.escape(tr('村访通 恢复密钥单'))}</h1><table>{table}</table>"
            f"<p style='font-size:12pt'>{html.escape(use)}</p>"
            f"<p style='font-family:monospace; font-size:26pt; letter-spacing:2px; margin:24px 0'>{lines}</p>"
            f"<p style='font-size:12pt'>{html.escape(letters)}</p>"
            f"<p style='font-size:12pt'><b>{html.escape(keep)}</b></p>")
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(*MARGINS_MM), QPageLayout.Unit.Millimeter)
    writer.setResolution(RESOLUTION)
    writer.setTitle(tr("村访通 恢复密钥单"))
    document = QTextDocument()
    document.setDefaultFont(print_font())
    document.setHtml(body)
    document.print_(writer)
