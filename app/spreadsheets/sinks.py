"""Sheet writers that stream rows: an .xlsx workbook (xlsxwriter, constant memory) or UTF-8 CSV files.

Every file is written under a temporary name beside its final one and moved into place
only when the whole export has succeeded; a cancelled or failed export removes them, so
it never leaves half a file (and never a partial file in the system's temp folder:
xlsxwriter's own scratch files go beside the output too).
"""

from __future__ import annotations

import csv
import gc
import io
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from app.errors import CunFangError, ErrorCode, disk_full
from app.spreadsheets.cells import csv_text, display_width

Progress = Callable[[int, int, str], None]
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_WIDTH = 50


def output_format(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".csv"):
        return suffix[1:]
    raise CunFangError(ErrorCode.EXPORT_FORMAT, suffix=suffix or "（没有扩展名）")


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CunFangError(ErrorCode.EXPORT_CANCELLED)


class Output:
    """Files written under temporary names, moved into place together by ``commit``."""

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []
        self.scratch: list[Path] = []  # folders for a writer's own temporary files, removed either way

    def scratch_dir(self, final: Path) -> Path:
        """A private folder beside ``final`` (same disk) for temporary files, removed on commit or discard."""
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix=f".{Path(final).stem}.", dir=Path(final).parent))
        self.scratch.append(folder)
        return folder

    def _clean_scratch(self) -> None:
        import shutil

        for folder in self.scratch:
            shutil.rmtree(folder, ignore_errors=True)

    def temp_for(self, final: Path) -> Path:
        final = Path(final)
        if not final.parent.is_dir():
            raise CunFangError(ErrorCode.EXPORT_WRITE_FAILED, path=final, reason="文件夹不存在")
        temp = final.with_name(f".{final.stem}.{os.getpid()}.part{final.suffix}")
        self.pending.append((temp, final))
        return temp

    def commit(self) -> list[Path]:
        for temp, final in self.pending:
            try:
                os.replace(temp, final)
            except OSError as exc:
                self.discard()
                raise CunFangError(ErrorCode.EXPORT_WRITE_FAILED, path=final, reason=exc.strerror or exc) from exc
        self._clean_scratch()
        return [final for _, final in self.pending]

    def discard(self) -> None:
        self._clean_scratch()
        for temp, _ in self.pending:
            try:
                temp.unlink()
            except OSError:
                pass


def sheet_name(base: str, used: set[str]) -> str:
    """A valid, unique worksheet name: at most 31 characters, none of []:*?/\\."""
    name = _SHEET_BAD.sub("、", base).strip("'") or "Sheet"
    name = name[:31]
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate = name[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def page_header(title: str) -> str:
    """The printed page's header: the title, centred and bold (``&`` doubled, as Excel's header codes need)."""
    text = title.replace("&", "&&")
    while len(text.encode("utf-16-le")) // 2 > 240:  # Excel's limit is 255 characters with the codes
        text = text[:-1]
    return '&C&"-,Bold"' + text


class XlsxSheet:
    """One worksheet: rows written in order, widths fitted as they go, header frozen and filtered at the end.

    Printed (a 台账 goes to the township on paper): A4 landscape, fitted to the page width, grid lines printed
    around the cells, the header row (and the title above it) repeated on every page, the title in the page
    header and 第 N 页，共 M 页 in the footer.
    """

    def __init__(self, book: XlsxBook, name: str, headers: list[str], *, title: str | None = None,
                 subtitle: str | None = None, text_columns: set[int] = frozenset(),
                 widths: dict[int, float] | None = None, fit_width: bool = True, print_title: str | None = None):
        self.book = book
        self.ws = book.workbook.add_worksheet(name)
        self.headers = headers
        self.fixed_widths = widths or {}
        self.text_columns = text_columns
        self.widths = [min(display_width(h), 24) for h in headers]
        self.row = 0
        last_col = max(len(headers) - 1, 0)
        for text, style in ((title, book.title), (subtitle, book.subtitle)):
            if not text:
                continue
            if last_col:
                self.ws.merge_range(self.row, 0, self.row, last_col, text, style)
            else:
                self.ws.write_string(self.row, 0, text, style)
            self.row += 1
        if title:
            self.ws.set_row(0, 28)
        self.header_row = self.row
        for col, header in enumerate(headers):
            self.ws.write_string(self.row, col, header, book.header)
        self.row += 1
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        if fit_width:
            self.ws.fit_to_pages(1, 0)
        self.ws.hide_gridlines(0)  # grid lines on screen and on paper
        self.ws.repeat_rows(0, self.header_row)
        self.ws.set_header(page_header(print_title or title or name))
        self.ws.set_footer("&C第 &P 页，共 &N 页")

    def write_row(self, values: list) -> None:
        ws, row, widths, book = self.ws, self.row, self.widths, self.book
        write_string, text, text_columns = ws.write_string, book.text, self.text_columns
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                if value:
                    write_string(row, col, value, text if col in text_columns else None)
                    if len(value) * 2 > widths[col]:
                        widths[col] = max(widths[col], display_width(value))
            elif isinstance(value, datetime):
                ws.write_datetime(row, col, value, book.datetime)
                widths[col] = max(widths[col], 16)
            elif isinstance(value, date):
                ws.write_datetime(row, col, value, book.date)
                widths[col] = max(widths[col], 10)
            elif isinstance(value, bool):
                write_string(row, col, str(value).lower())
            else:
                ws.write_number(row, col, value)
                widths[col] = max(widths[col], len(str(value)))
        self.row += 1

    def finish(self) -> None:
        ws = self.ws
        for col, width in enumerate(self.widths):
            fitted = self.fixed_widths.get(col) or min(width + 2, MAX_WIDTH)
            ws.set_column(col, col, fitted, self.book.text if col in self.text_columns else None)
        ws.freeze_panes(self.header_row + 1, 0)
        if self.headers:
            ws.autofilter(self.header_row, 0, max(self.row - 1, self.header_row), len(self.headers) - 1)


class XlsxBook:
    """An .xlsx workbook streamed to a temporary file (xlsxwriter's constant-memory mode)."""

    extension = ".xlsx"

    def __init__(self, path: Path, output: Output):
        import xlsxwriter

        self.path = Path(path)
        self.output = output
        self._used: set[str] = set()
        temp = output.temp_for(self.path)
        self.workbook = xlsxwriter.Workbook(str(temp), {"constant_memory": True,
                                                        "tmpdir": str(output.scratch_dir(self.path)),
                                                        "strings_to_numbers": False, "strings_to_formulas": False,
                                                        "strings_to_urls": False})
        add = self.workbook.add_format
        self.header = add({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
        self.title = add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle = add({"align": "left"})
        self.text = add({"num_format": "@"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.datetime = add({"num_format": "yyyy-mm-dd hh:mm"})
        self.sheets: list[XlsxSheet] = []

    def sheet(self, name: str, headers: list[str], *, csv_suffix: str | None = None, **options) -> XlsxSheet:
        sheet = XlsxSheet(self, sheet_name(name, self._used), headers, **options)
        self.sheets.append(sheet)
        return sheet

    def notes(self, name: str) -> XlsxNotes:
        return XlsxNotes(self, sheet_name(name, self._used))

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()
        try:
            self.workbook.close()
        except OSError as exc:
            raise CunFangError(ErrorCode.EXPORT_WRITE_FAILED, path=self.path, reason=exc.strerror or exc) from exc


class XlsxNotes:
    """The 说明 sheet: free lines, then a table explaining every column."""

    def __init__(self, book: XlsxBook, name: str):
        self.book = book
        self.ws = book.workbook.add_worksheet(name)
        self.row = 0
        self.wrap = book.workbook.add_format({"text_wrap": True, "valign": "top"})

    def line(self, text: str = "", *, bold: bool = False) -> None:
        if text:
            self.ws.write_string(self.row, 0, text, self.book.header if bold else None)
        self.row += 1

    def table(self, headers: list[str], rows: list[list[str]], widths: list[int]) -> None:
        for col, header in enumerate(headers):
            self.ws.write_string(self.row, col, header, self.book.header)
        first = self.row
        self.row += 1
        for values in rows:
            for col, value in enumerate(values):
                if value not in (None, ""):
                    self.ws.write_string(self.row, col, str(value), self.wrap)
            self.row += 1
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)
        self.ws.autofilter(first, 0, max(self.row - 1, first), len(headers) - 1)


class CsvSheet:
    """One CSV file, UTF-8 with a BOM. Rows are gathered and handed to ``csv.writer`` ``BATCH`` at a time, into
    memory first, so the file gets one write (and one encoding) per batch instead of one per row."""

    BATCH = 512

    def __init__(self, path: Path, output: Output, headers: list[str]):
        self.path = path
        self.file = output.temp_for(path).open("w", encoding="utf-8", newline="")
        self.file.write("\ufeff")  # the BOM Excel and WPS need (what "utf-8-sig" writes, without its per-write step)
        self.buffer = io.StringIO(newline="")
        self.writer = csv.writer(self.buffer)
        self.writer.writerow(headers)
        self.pending: list[list[str]] = []

    def _put(self, texts: list[str]) -> None:
        pending = self.pending
        pending.append(texts)
        if len(pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        self.writer.writerows(self.pending)
        self.pending.clear()
        self.file.write(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()

    def write_row(self, values: list) -> None:
        self._put([csv_text(v) for v in values])

    write_texts = _put
    """A row already turned into text (``cells.row_function``): written as it is."""

    def finish(self) -> None:
        self._flush()
        self.file.close()


class CsvBook:
    """CSV files in UTF-8 with a BOM (what Excel and WPS need to read Chinese): one per sheet.

    The first sheet goes to ``path``; each further one to ``<stem>-<csv_suffix>.csv`` beside it.
    CSV has no types: ID numbers are written as they are (never with a leading apostrophe);
    open the file through Excel's data import (数据 → 从文本/CSV) and set those columns to 文本.
    """

    extension = ".csv"

    def __init__(self, path: Path, output: Output):
        self.path = Path(path)
        self.output = output
        self.sheets: list[CsvSheet] = []

    def sheet(self, name: str, headers: list[str], *, csv_suffix: str | None = None, **options) -> CsvSheet:
        path = self.path if csv_suffix is None else self.path.with_name(
            f"{self.path.stem}-{_SHEET_BAD.sub('_', csv_suffix)}{self.path.suffix}")
        sheet = CsvSheet(path, self.output, headers)
        self.sheets.append(sheet)
        return sheet

    def notes(self, name: str) -> None:
        return None

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()


def open_book(path: Path, output: Output) -> XlsxBook | CsvBook:
    return XlsxBook(path, output) if output_format(path) == "xlsx" else CsvBook(path, output)


class _CollectorPause:
    """Counts the bulk jobs running, so nested and concurrent ones turn the collector back on only once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = 0
        self.was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.running == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if self.running == 0 and self.was_enabled:
                    gc.enable()


paused_gc = _CollectorPause()
"""Python's cycle collector off while a bulk export runs: an export makes millions of short-lived, acyclic cell
values that the collector would keep scanning (about 7 % of an .xlsx export); reference counting still frees them
at once, and collection resumes when the last bulk job ends."""


def write_atomically(path: Path, fill: Callable[[XlsxBook | CsvBook], object]) -> object:
    """Open a book on ``path``, let ``fill`` write it, then move every file into place; on any failure or
    cancellation remove what was written."""
    output = Output()
    book = None
    try:
        book = open_book(Path(path), output)
        result = fill(book)
        book.close()
        book = None
        output.commit()
        return result
    except BaseException as exc:
        if book is not None:
            try:
                _abandon(book)
            except OSError:  # a full disk cannot flush what is about to be deleted anyway
                pass
        output.discard()
        full = disk_full(exc, action="导出", path=Path(path).parent)
        if full is not None and full is not exc:
            raise full from exc
        raise


def _abandon(book) -> None:
    """Close what is open without finishing the workbook (it is about to be deleted)."""
    if isinstance(book, CsvBook):
        for sheet in book.sheets:
            sheet.file.close()
        return
    for worksheet in book.workbook.worksheets():
        handle, name = getattr(worksheet, "row_data_fh", None), getattr(worksheet, "row_data_filename", None)
        if handle is not None:
            handle.close()
        if name:
            Path(name).unlink(missing_ok=True)
    book.workbook.fileclosed = True  # nothing to save: xlsxwriter must not warn when it is collected
