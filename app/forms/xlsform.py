"""Loading forms: XLSForm workbooks through pyxform, XForms directly, with checks for form authors.

``load_form`` returns a ``FormDef`` or raises ``FormCheckFailed`` with every
problem found, each located at a sheet, row, column and question, in plain
Chinese. pyxform catches the structural problems it knows; this module checks
the rest itself before conversion (so the row is known): XPath syntax, unknown
functions, ``${}`` references, choice lists, unclosed groups, and afterwards
calculation cycles in the dependency graph.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from pyxform.aliases import control as CONTROL_ALIASES
from pyxform.aliases import select as SELECT_ALIASES
from pyxform.errors import PyXFormError
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from app.errors import CunFangError, ErrorCode, FormCheckFailed, FormError
from app.forms.cache import FormCache
from app.forms.model import FormDef, read_xform
from app.forms.tidy import EXPRESSION_COLUMNS, as_read, is_comment_row, tidy_workbook
from app.forms.xpath.compiler import compile_expr
from app.forms.xpath.parser import parse, xlsform_refs

TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message", "guidance_hint")
_SUFFIX_TYPES = {"select_one", "select_multiple", "rank", "select one", "select multiple", "select_one_external"}
_FILE_TYPES = {"select_one_from_file", "select_multiple_from_file", "select one from file",
               "select multiple from file"}
_STRUCTURE = {"begin group", "end group", "begin repeat", "end repeat", "begin_group", "end_group",
              "begin_repeat", "end_repeat", "begin loop", "end loop"}
_ROW_IN_PYXFORM = re.compile(r"\[row\s*:\s*(\d+)\]", re.I)


def load_form(source: str | Path | bytes, *, file_type: str | None = None, cache: FormCache | None = None) -> FormDef:
    """Load an XLSForm (.xlsx/.xls/.csv/.md path, markdown text or .xlsx bytes) or an XForm (.xml).

    With a ``cache`` (cache.py) a form whose bytes were loaded before by this engine is read from it.
    """
    if cache is not None:
        content, kind = _cache_identity(source, file_type)
        if content is not None:
            form = cache.load(content, kind, lambda: load_form(source, file_type=file_type))
            if not isinstance(source, bytes) and "\n" not in str(source):
                form.source = str(source)  # the same bytes may have been cached from another place
            return form
    text_source = isinstance(source, bytes) or (isinstance(source, str) and "\n" in source and "|" in source)
    if isinstance(source, bytes) and source.lstrip().startswith(b"<"):
        return _load_xform_bytes(source, source_name=None)
    path = None if text_source else Path(source)  # type: ignore[arg-type]
    if path is not None:
        if not path.exists():
            raise FormCheckFailed([FormError(ErrorCode.FORM_NOT_FOUND, path=str(path))])
        if path.suffix.lower() == ".xml":
            return _load_xform_bytes(path.read_bytes(), source_name=str(path), media_dir=path.parent)
    if isinstance(source, bytes):
        file_type = file_type or None  # pyxform tells xlsx, xls and csv bytes apart itself
    elif text_source:
        file_type = file_type or ".md"
    try:
        workbook = get_xlsform(xlsform=str(path) if path else source, file_type=file_type)
    except Exception as exc:  # noqa: BLE001 - any reader failure is one plain message
        raise FormCheckFailed(
            [FormError(ErrorCode.FORM_UNREADABLE, path=str(path or "表单"), reason=_reason(exc))]
        ) from exc
    notices = tidy_workbook(workbook)
    errors, rows = check_workbook(workbook)
    if errors:
        raise FormCheckFailed(errors)
    warnings: list[str] = []
    try:
        as_dict = {f.name: getattr(workbook, f.name) for f in fields(workbook)}
        result = convert(xlsform=as_dict, warnings=warnings, form_name="data")
    except PyXFormError as exc:
        raise FormCheckFailed([_from_pyxform(exc)]) from exc
    except Exception as exc:  # noqa: BLE001
        raise FormCheckFailed([FormError(ErrorCode.FORM_INVALID, reason=_reason(exc))]) from exc
    try:
        form = read_xform(result.xform, media_dir=path.parent if path else None, rows=rows,
                          source=str(path) if path else None)
    except FormCheckFailed:
        raise
    except FormError as exc:
        raise FormCheckFailed([exc]) from exc
    except CunFangError as exc:
        raise FormCheckFailed([FormError(exc.code, **exc.context)]) from exc
    form.warnings = warnings  # type: ignore[attr-defined]
    form.notices[:0] = notices
    form.calculate_labels = calculate_labels(workbook.survey, form.default_lang)
    _check_graph(form)
    return form


def calculate_labels(survey: list[dict], lang: str | None) -> dict[str, str]:
    """Labels the form's author gave calculated values (XLSForm allows a label on a calculate row; the XForm has
    no place for it): what an exported column is called. The default language's, else any."""
    found: dict[str, str] = {}
    for row in survey:
        if str(row.get("type", "")).strip().lower() != "calculate" or not row.get("name"):
            continue
        labels = {k.split("::", 1)[1].strip() if "::" in k else "": str(v).strip()
                  for k, v in row.items() if k.split("::", 1)[0].strip().lower() == "label" and str(v).strip()}
        label = labels.get(lang or "") or labels.get("") or next(iter(labels.values()), "")
        if label:
            found[str(row["name"]).strip()] = label
    return found


def _cache_identity(source: str | Path | bytes, file_type: str | None) -> tuple[bytes | None, str]:
    """The bytes a form is read from and how they are read, for the form cache; None when unreadable."""
    if isinstance(source, bytes):
        return source, file_type or "bytes"
    if isinstance(source, str) and "\n" in source and "|" in source:
        return source.encode("utf-8"), file_type or ".md"
    try:
        return Path(source).read_bytes(), file_type or Path(source).suffix.lower()
    except OSError:
        return None, ""  # not there: load_form says so


def _load_xform_bytes(xml: bytes, *, source_name: str | None, media_dir: Path | None = None) -> FormDef:
    try:
        form = read_xform(xml, media_dir=media_dir, source=source_name)
    except FormCheckFailed:
        raise
    except FormError as exc:
        raise FormCheckFailed([exc]) from exc
    except CunFangError as exc:
        raise FormCheckFailed([FormError(exc.code, **exc.context)]) from exc
    _check_graph(form)
    return form


def _check_graph(form: FormDef) -> None:
    from app.forms.session import graph_of

    try:
        graph_of(form)
    except FormError as exc:
        raise FormCheckFailed([exc]) from exc


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _from_pyxform(exc: PyXFormError) -> FormError:
    text = str(exc)
    m = _ROW_IN_PYXFORM.search(text)
    return FormError(ErrorCode.FORM_INVALID, sheet="survey" if m else None, row=int(m.group(1)) if m else None,
                     reason=f"pyxform 报告：{text.strip()}")


# --------------------------------------------------------------------------- checks on the sheets


def _base_type(raw: str) -> tuple[str, str | None]:
    """Split 'select_one yesno' into ('select_one', 'yesno'); normalise spacing."""
    parts = raw.strip().split()
    if not parts:
        return "", None
    if parts[0].lower() in ("begin_group", "end_group", "begin_repeat", "end_repeat", "begin_loop", "end_loop"):
        parts = parts[0].lower().split("_") + parts[1:]
    if len(parts) >= 2 and " ".join(parts[:2]) in _STRUCTURE:
        return " ".join(parts[:2]).replace("_", " "), None
    if parts[0] in _SUFFIX_TYPES | _FILE_TYPES or parts[0] in ("select_one_external",):
        return parts[0], (parts[1] if len(parts) > 1 else None)
    for n in (5, 4, 3, 2):
        joined = " ".join(parts[:n])
        if joined in SELECT_ALIASES or joined in _FILE_TYPES:
            return joined, (parts[n] if len(parts) > n else None)
    return raw.strip(), None


def _known_type(base: str) -> bool:
    return (
        base in QUESTION_TYPE_DICT
        or base in SELECT_ALIASES
        or base in _FILE_TYPES
        or base in _STRUCTURE
        or base.replace("_", " ") in _STRUCTURE
        or base in CONTROL_ALIASES
        or base in ("begin", "end", "select_one_external")
        or base.split()[0] == "osm"  # osm LIST: an OpenMapKit question (pyxform, JavaRosa accept it)
    )


def _columns(row: dict, base: str) -> list[str]:
    """Columns of a row named ``base`` or ``base::language``."""
    return [k for k in row if k == base or k.startswith(base + "::")]


def check_workbook(workbook) -> tuple[list[FormError], dict[str, int]]:
    """Problems pyxform would report late, vaguely or not at all, with their rows."""
    survey = as_read(workbook.survey)
    choices = as_read(workbook.choices)
    errors: list[FormError] = []
    rows: dict[str, int] = {}
    scopes: dict[str, tuple[str, ...]] = {}
    lists = {str(c.get("list_name") or c.get("list name") or "").strip() for c in choices}
    stack: list[tuple[str, int, str]] = []

    for i, row in enumerate(survey, start=2):
        raw_type = str(row.get("type", "")).strip()
        name = str(row.get("name", "")).strip()
        if not raw_type:
            if not is_comment_row(row):
                errors.append(FormError(ErrorCode.FORM_MISSING_TYPE, sheet="survey", row=i, column="type",
                                        question=name or None))
            continue
        base, list_name = _base_type(raw_type)
        if base in ("begin group", "begin repeat", "begin loop"):
            stack.append((base, i, name))
        elif base in ("end group", "end repeat", "end loop"):
            if not stack or stack[-1][0].split()[1] != base.split()[1]:
                errors.append(FormError(ErrorCode.FORM_UNMATCHED_END, sheet="survey", row=i, column="type",
                                        kind=raw_type))
            else:
                stack.pop()
            continue
        elif not _known_type(base):
            errors.append(FormError(ErrorCode.FORM_UNKNOWN_TYPE, sheet="survey", row=i, column="type",
                                    question=name or None, type=raw_type))
            continue
        if base in _SUFFIX_TYPES or base in SELECT_ALIASES and base not in _FILE_TYPES:
            if not list_name:
                errors.append(FormError(ErrorCode.FORM_SELECT_NEEDS_LIST, sheet="survey", row=i, column="type",
                                        question=name or None, type=raw_type))
            elif base != "select_one_external" and list_name not in lists:
                errors.append(FormError(ErrorCode.FORM_MISSING_CHOICES, sheet="survey", row=i, column="type",
                                        question=name or None, list_name=list_name))
        if not name:
            if base not in ("note",):
                errors.append(FormError(ErrorCode.FORM_MISSING_NAME, sheet="survey", row=i, column="name"))
            continue
        scope = tuple(n for _, r, n in stack if r != i)  # the groups this row is in
        if name in rows:
            # pyxform and ODK allow one name in two groups; we do not: records, 台账 and sync key answers by name
            code = ErrorCode.FORM_DUPLICATE_NAME if scopes[name] == scope else ErrorCode.FORM_DUPLICATE_NAME_IN_GROUPS
            errors.append(FormError(code, sheet="survey", row=i, column="name",
                                    question=name, name=name, other_row=rows[name]))
        rows.setdefault(name, i)
        scopes.setdefault(name, scope)
    for kind, row_no, name in stack:
        code = ErrorCode.FORM_UNCLOSED_REPEAT if "repeat" in kind else ErrorCode.FORM_UNCLOSED_GROUP
        errors.append(FormError(code, sheet="survey", row=row_no, column="type", question=name or None))

    for i, row in enumerate(survey, start=2):
        name = str(row.get("name", "")).strip() or None
        for column in EXPRESSION_COLUMNS:
            for key in _columns(row, column):
                text = str(row[key]).strip()
                if not text:
                    continue
                if column == "trigger":
                    for ref in _refs(text):
                        if ref not in rows:
                            errors.append(FormError(ErrorCode.FORM_UNKNOWN_REF, sheet="survey", row=i, column=key,
                                                    question=name, ref=ref))
                    continue
                errors.extend(_check_expression(text, i, key, name, rows, "survey"))
        for column in TEXT_COLUMNS + ("default",):
            for key in _columns(row, column):
                for ref in _refs(str(row[key])):
                    if ref not in rows:
                        errors.append(FormError(ErrorCode.FORM_UNKNOWN_REF, sheet="survey", row=i, column=key,
                                                question=name, ref=ref))
    errors.sort(key=lambda e: e.row or 0)
    return errors, rows


def _check_expression(text: str, row: int, column: str, name: str | None, rows: dict[str, int],
                      sheet: str) -> list[FormError]:
    where = {"sheet": sheet, "row": row, "column": column, "question": name}
    try:
        tree = parse(text)
        compile_expr(tree)
    except CunFangError as exc:
        return [FormError(exc.code, **where, **exc.context)]
    return [FormError(ErrorCode.FORM_UNKNOWN_REF, **where, ref=ref) for ref in _refs(text) if ref not in rows]


def _refs(text: str) -> list[str]:
    """The questions an XLSForm text refers to; ``${last-saved#q}`` refers to ``q`` (in the last saved record)."""
    return [ref.removeprefix("last-saved#") for ref in xlsform_refs(text)]
