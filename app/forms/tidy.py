"""A workbook as a form author types it, made into what pyxform and our checks read.

pyxform forgives headers in another case (``TYPE``, ``Label::English``), curly quotes (it turns them into plain
ones) and rows that hold only comments; we read the rows the same way. Full-width punctuation typed with a Chinese
input method (``（）＝，＋``) outside string literals in an expression becomes the plain character, with a notice
naming the row, column and position; inside quotes it is text and stays.
"""

from __future__ import annotations

from pyxform.parsing.sheet_headers import clean_text_values, to_snake_case

from app.errors import ErrorCode, FormError

EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "required", "choice_filter", "repeat_count",
                      "read_only", "trigger")
_SPLIT_ON_ONE_COLON = ("label", "hint", "media", "image", "audio", "video", "constraint_message",
                       "required_message", "guidance_hint", "big-image")


def header(key: str) -> str:
    """A column header as pyxform reads it: ``TYPE`` → ``type``, ``Label::English`` → ``label::English``."""
    head, sep, tail = key.partition("::")
    if not sep:
        first, one, rest = key.partition(":")
        if one and to_snake_case(first) in _SPLIT_ON_ONE_COLON:
            head, sep, tail = first, one, rest
    return to_snake_case(head) + sep + tail.strip()


def plain_punctuation(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Full-width ASCII punctuation and digits outside quotes made plain; returns the text and each change
    as (1-based position, full-width character, plain character)."""
    out, changes, quote = [], [], None
    for i, ch in enumerate(text, start=1):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif "\uff01" <= ch <= "\uff5e" or ch == "\u3000":
            plain = " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)
            changes.append((i, ch, plain))
            ch = plain
            if ch in "'\"":
                quote = ch
        out.append(ch)
    return "".join(out), changes


def tidy_rows(rows: list[dict], sheet: str) -> tuple[list[dict], list[str]]:
    """The sheet's rows with plain quotes and punctuation (headers as typed: pyxform reads those itself),
    and notices for full-width punctuation made plain."""
    tidied, notices = [], []
    for number, row in enumerate(rows, start=2):
        new = {}
        for key, value in row.items():
            if isinstance(value, str):
                value = clean_text_values(value)
                column = header(str(key))
                if column.partition("::")[0] in EXPRESSION_COLUMNS:
                    value, changes = plain_punctuation(value)
                    for position, char, ascii_char in changes:
                        notices.append(str(FormError(
                            ErrorCode.FORM_FULLWIDTH, sheet=sheet, row=number, column=column,
                            question=str(row.get("name", "")).strip() or None,
                            char=char, position=position, ascii=ascii_char)))
            new[key] = value
        tidied.append(new)
    return tidied, notices


def tidy_workbook(workbook) -> list[str]:
    """Tidy the survey and choices sheets in place; returns the notices."""
    notices: list[str] = []
    for sheet in ("survey", "choices"):
        rows = getattr(workbook, sheet, None)
        if rows:
            tidied, found = tidy_rows(list(rows), sheet)
            setattr(workbook, sheet, tidied)
            notices += found
    return notices


def as_read(rows) -> list[dict]:
    """Rows keyed by the headers as pyxform reads them (for our checks)."""
    out = []
    for row in rows or []:
        new: dict = {}
        for key, value in row.items():
            new.setdefault(header(str(key)), value)
        out.append(new)
    return out


def is_comment_row(row: dict) -> bool:
    """A row pyxform skips: no type, no name and no label (notes to the author, section titles)."""
    return not any(str(v).strip() for k, v in row.items()
                   if k in ("type", "name") or k == "label" or k.startswith(("label::", "label:")))
