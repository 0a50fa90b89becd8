"""Import a roster (花名册/台账) kept in Excel, WPS or a CSV file into the registry, and undo it as a whole.

The steps, each usable alone (the CLI and the app's 导入名册… dialog go through the same ones):

1. ``read_table(path)``: .xlsx/.xls through python-calamine (openpyxl if calamine cannot read an .xlsx), .csv in
   UTF-8 (with or without BOM), GBK/GB18030 or UTF-16. The header row is found by scoring the first rows against
   the known headers, so title rows above it (“东山村留守儿童花名册”, merged across the sheet) are skipped; cells
   merged down a column (one 村 for a block of rows) are filled in.
2. ``mapping_for(store, headers)``: which column feeds which person field: what the user chose last time for the
   same headers (a store setting keyed by the header signature), else a guess from synonyms
   (身份证号/公民身份号码/证件号码 …). ``remember_mapping`` keeps the user's choice.
3. ``analyse(store, table, mapping, options)``: one outcome per row, nothing written: 新增, 更新 (matched by ID
   number, with each change), 无变化, 拒绝 with a plain reason (bad check digit, an ID Excel stored as a number and
   so already damaged, unknown village, missing name, a duplicate in the file …) or 跳过 (a 合计/填表人 line).
4. ``run_import``: the same analysis again inside ONE transaction, then every accepted row written, recorded as an
   import batch (migration 005) with each updated person's previous values. ``undo_import`` reverses it whole.

Damaged IDs are reported, never repaired: an 18-digit number has more digits than Excel keeps (15), so
3.40102E+17 or …000 cannot be turned back into the real ID.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app import china
from app.errors import CunFangError, ErrorCode, disk_full
from app.registry import CHILD_REGISTRY_FORMS, PERSON_FIELDS
from app.store import imports as batches
from app.store.audit import append
from app.store.persons import KIND_LABELS
from app.store.store import Store

Progress = Callable[[int, int, str], None]
NEW_HOUSEHOLD = "new"  # an update's household_id before the import makes the household

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
HEADER_SCAN_ROWS = 30

# ---------------------------------------------------------------------------- fields and header synonyms


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()      # whole headers (after cleaning) that mean this field
    contains: tuple[str, ...] = ()      # a header containing one of these means it (checked in FIELDS order)
    excludes: tuple[str, ...] = ()      # … unless it also contains one of these


# Order matters for ``contains``: the more specific fields come first (监护人电话 before 电话, 村民小组 before 村).
FIELDS: tuple[Field, ...] = (
    Field("guardian_phone", "监护人电话", ("监护人电话", "监护人联系电话", "监护人手机", "监护人手机号"),
          ("监护人电话", "监护人手机", "监护人联系")),
    Field("guardian_name", "监护人姓名", ("监护人", "监护人姓名", "委托监护人", "实际监护人"), ("监护人",),
          ("关系", "身份证", "地址", "住址")),
    Field("id_number", "身份证号", ("身份证号", "公民身份号码", "证件号码", "身份证号码", "身份证", "身份证件号码",
                                 "居民身份证号码", "证件号"), ("身份证", "身份号码", "证件号"),
          ("父", "母", "户主", "联系人")),
    Field("name", "姓名", ("姓名", "名字", "老人姓名", "儿童姓名", "人员姓名", "学生姓名", "对象姓名"),
          ("姓名", "名字"), ("父", "母", "户主", "联系人", "填表", "家属", "子女")),
    Field("sex", "性别", ("性别",), ("性别",)),
    Field("birth_date", "出生日期", ("出生日期", "出生年月", "出生年月日", "生日"), ("出生",)),
    Field("phone", "联系电话", ("联系电话", "手机号", "电话", "手机", "手机号码", "电话号码", "联系方式"),
          ("电话", "手机", "联系方式"), ("父", "母", "子女", "户主", "联系人")),
    Field("group", "村民小组", ("组", "村民小组", "小组", "所在组", "组别", "村组"), ("小组", "组别")),
    Field("village", "所在村", ("村", "所在村", "村委会", "村名", "村(社区)", "村(居)委会", "行政村", "村居",
                             "村(居)", "所属村"), ("村",)),
    Field("house_number", "门牌号", ("门牌号", "门牌", "门牌号码"), ("门牌",)),
    Field("address", "住址", ("住址", "家庭住址", "居住地址", "现住址", "地址", "家庭地址"), ("住址", "地址")),
    Field("categories", "人员类别", ("类别", "人员类别", "类型", "人员类型", "对象类别", "老人类别", "儿童类别"),
          ("类别", "类型")),
    Field("risk_tier", "风险等级", ("风险等级", "风险"), ("风险",)),
    Field("remarks", "备注", ("备注", "说明"), ("备注",)),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
IGNORED_HEADERS = ("序号", "编号", "年龄", "周岁", "民族", "籍贯", "签字", "签名")
REQUIRED = ("name", "id_number")
EXTRA_FIELDS = ("guardian_name", "guardian_phone", "remarks")

ACTION_LABELS = {"add": "新增", "update": "更新", "same": "无变化", "refused": "拒绝", "skipped": "跳过"}
CHANGE_LABELS = {"name": "姓名", "sex": "性别", "birth_date": "出生日期", "phone": "联系电话", "kind": "人员类型",
                 "categories": "人员类别", "risk_tier": "风险等级", "village_id": "所在村", "household_id": "住户",
                 "extra.guardian_name": "监护人姓名", "extra.guardian_phone": "监护人电话", "extra.remarks": "备注",
                 "extra.group_name": "村民小组", "extra.address": "住址"}


def clean_text(value) -> str:
    """A cell as text: full-width digits and letters → ASCII (NFKC), no zero-width characters, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15G}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\u200b-\u200d\ufeff]", "", text).strip()


def _header_key(text) -> str:
    return re.sub(r"[\s*※:：]", "", clean_text(text))


def match_header(header) -> str | None:
    """The field a column header means; "" for a column known to be left out (序号, 年龄); None if unknown."""
    key = _header_key(header)
    if not key:
        return None
    bare = re.sub(r"\(.*?\)", "", key)  # 身份证号(必填), 联系电话(手机)
    for candidate in dict.fromkeys((key, bare)):
        for f in FIELDS:
            if candidate in f.synonyms:
                return f.key
        if candidate in IGNORED_HEADERS:
            return ""
    if len(bare) > 12:  # a sentence or a title, not a column header
        return None
    for f in FIELDS:
        if any(word in bare for word in f.contains) and not any(word in bare for word in f.excludes):
            return f.key
    return None


def guess_mapping(headers: list[str]) -> list[str]:
    """A field for each column ("" to leave it out); each field goes to the first column that means it."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        found = match_header(header)
        if found and found not in taken:
            taken.add(found)
            mapping.append(found)
        else:
            mapping.append("")
    return mapping


def header_signature(headers: list[str]) -> str:
    body = "\x1f".join(_header_key(h) for h in headers)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def _setting_key(headers: list[str]) -> str:
    return f"import.mapping.{header_signature(headers)}"


def mapping_for(store: Store, headers: list[str]) -> tuple[list[str], bool]:
    """The mapping the user chose last time for these headers (True), else the guess (False)."""
    saved = store.get_setting(_setting_key(headers))
    if saved:
        try:
            mapping = json.loads(saved)
        except ValueError:
            mapping = None
        if isinstance(mapping, list) and len(mapping) == len(headers) and all(
                m == "" or m in FIELD_BY_KEY for m in mapping):
            return mapping, True
    return guess_mapping(headers), False


def remember_mapping(store: Store, headers: list[str], mapping: list[str]) -> None:
    store.set_setting(_setting_key(headers), json.dumps(list(mapping), ensure_ascii=False))


def parse_field(name: str) -> str:
    """A field named by its key (id_number) or label (身份证号); "" leaves a column out."""
    name = name.strip()
    if name in ("", "-", "不导入"):
        return ""
    if name in FIELD_BY_KEY:
        return name
    for f in FIELDS:
        if name == f.label or name in f.synonyms:
            return f.key
    raise CunFangError(ErrorCode.IMPORT_BAD_MAPPING, item=name,
                       fields="、".join(f"{f.key}（{f.label}）" for f in FIELDS))


# ---------------------------------------------------------------------------- reading the file


@dataclass
class Table:
    """The rows of one sheet under its header row (raw cell values, padded to the header's width)."""

    path: Path
    sheet: str
    sheets: list[str]
    headers: list[str]
    rows: list[list]
    row_numbers: list[int]            # each data row's number as the spreadsheet shows it (1-based)
    header_row_number: int
    title: str = ""                   # the text above the header (e.g. 东山村留守儿童花名册)
    encoding: str = ""
    sha256: str = ""

    @property
    def sample(self) -> list[list[str]]:
        """The first few data rows as text, for showing next to each column (ID numbers masked)."""
        return [[china.mask_id(t) if china.id_valid(t := clean_text(v)) else t for v in row] for row in self.rows[:3]]


def _unreadable(path: Path, reason: str) -> CunFangError:
    return CunFangError(ErrorCode.IMPORT_UNREADABLE, path=path.name, reason=reason)


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """Read ``path`` and find its header row; a plain error for anything that is not a readable roster."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CunFangError(ErrorCode.IMPORT_UNSUPPORTED, suffix=path.suffix or path.name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise _unreadable(path, "文件不存在") from exc
    except OSError as exc:
        raise _unreadable(path, exc.strerror or type(exc).__name__) from exc
    if not raw:
        raise _unreadable(path, "文件是空的")
    digest = hashlib.sha256(raw).hexdigest()
    encoding = ""
    if suffix in TEXT_SUFFIXES:
        text, encoding = decode_text(raw, path)
        grids = {path.stem: _csv_rows(text)}
        merges: dict[str, list] = {}
    else:
        grids, merges = _workbook_grids(path)
    if sheet is not None and sheet not in grids:
        raise CunFangError(ErrorCode.IMPORT_SHEET_NOT_FOUND, sheet=sheet, sheets="、".join(grids))
    candidates = [sheet] if sheet is not None else list(grids)
    best = None
    for name in candidates:
        index, score = find_header_row(grids[name])
        if index is not None and (best is None or score > best[2]):
            best = (name, index, score)
    if best is None:
        raise CunFangError(ErrorCode.IMPORT_NO_HEADER, path=path.name)
    name, index, _ = best
    grid = _fill_merged(grids[name], merges.get(name, []), below=index)
    headers = [clean_text(v) for v in grid[index]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows, numbers = [], []
    for number, row in enumerate(grid[index + 1 :], start=index + 2):
        cells = (list(row) + [None] * width)[:width]
        if any(clean_text(v) for v in cells):
            rows.append(cells)
            numbers.append(number)
    title = " ".join(clean_text(v) for row in grid[:index] for v in row if clean_text(v))
    return Table(path=path, sheet=name, sheets=list(grids), headers=headers, rows=rows, row_numbers=numbers,
                 header_row_number=index + 1, title=title, encoding=encoding, sha256=digest)


def decode_text(raw: bytes, path: Path) -> tuple[str, str]:
    """CSV bytes as text: UTF-16 by its BOM, else UTF-8 (BOM or not), else GB18030 (GBK's superset), else a guess."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"  # Excel's “Unicode 文本”
    if b"\x00" in raw[:4096]:
        raise _unreadable(path, "不是文本文件")
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guess = from_bytes(raw).best()
    if guess is None:
        raise _unreadable(path, "看不出文字编码（不是 UTF-8 或 GBK）")
    return str(guess), guess.encoding


def _csv_rows(text: str) -> list[list]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _workbook_grids(path: Path) -> tuple[dict[str, list[list]], dict[str, list]]:
    """Every sheet's cells from A1 (absolute positions), and its merged ranges ((r0, c0), (r1, c1))."""
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        grids, merges = {}, {}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            grids[name] = sheet.to_python(skip_empty_area=False)
            merges[name] = list(getattr(sheet, "merged_cell_ranges", None) or [])
        return grids, merges
    except ImportError:
        calamine_problem = "python-calamine is not installed"
    except Exception as exc:  # noqa: BLE001 - calamine's errors name no common base; reported plainly below
        calamine_problem = str(exc) or type(exc).__name__
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}
            workbook.close()
            return grids, {}
        except Exception as exc:  # noqa: BLE001 - a damaged or encrypted workbook: said plainly
            calamine_problem = str(exc) or type(exc).__name__
    raise _unreadable(path, _plain_reason(calamine_problem))


def _plain_reason(problem: str) -> str:
    low = problem.lower()
    if "password" in low or "encrypt" in low:
        return "文件设置了打开密码，请在 Excel/WPS 中取消密码后再导入"
    return "文件已损坏，或不是 Excel/WPS 表格"


def find_header_row(grid: list[list]) -> tuple[int | None, int]:
    """The row among the first ones whose cells match the most known headers (at least two, one being 姓名 or
    身份证号); (None, 0) if there is none."""
    best, best_score = None, 0
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = {match_header(v) for v in row if isinstance(v, str)}
        found.discard(None)
        found.discard("")
        score = len(found)
        if score >= 2 and found & set(REQUIRED) and score > best_score:
            best, best_score = index, score
    return best, best_score


def _fill_merged(grid: list[list], merges: list, *, below: int) -> list[list]:
    """Cells merged down a column below the header (one 村 for several rows) take the merged cell's value."""
    for (r0, c0), (r1, c1) in merges:
        if r0 <= below:
            continue
        while len(grid) <= r1:
            grid.append([])
        value = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, r1 + 1):
            row = grid[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
    return grid


# ---------------------------------------------------------------------------- options and outcomes


@dataclass
class ImportOptions:
    kind: str | None = None       # elder / child; None: from each row's 类别, else its age
    category: str = ""            # added to every imported person's categories (留守儿童 for left_behind_child)
    form_id: str = ""
    village_id: str | None = None  # for rows without a village; None: a village named in the title, else the only one


def options_for_form(form_id: str) -> ImportOptions:
    """``elder_registry`` → elders; ``left_behind_child`` → children with the category 留守儿童;
    ``vulnerable_child`` → 困境儿童."""
    fields = PERSON_FIELDS.get(form_id)
    if fields is None:
        raise CunFangError(ErrorCode.IMPORT_FORM_UNSUPPORTED, form_id=form_id, forms="、".join(PERSON_FIELDS))
    return ImportOptions(kind=fields["kind"], category=CHILD_REGISTRY_FORMS.get(form_id, ""), form_id=form_id)


def _message(code: ErrorCode, **context) -> str:
    return code.format(**context)


@dataclass(slots=True)
class RowOutcome:
    row: int
    action: str = "add"                              # add / update / same / refused / skipped
    name: str = ""
    id_number: str = ""
    reasons: list[str] = field(default_factory=list)  # why it is refused
    notes: list[str] = field(default_factory=list)    # what was adjusted (性别 from the ID …)
    values: dict = field(default_factory=dict)        # the person's fields to write
    household: tuple | None = None                   # (village_id, house number key) of its household
    person_id: str | None = None                     # the existing person an update changes
    changes: dict = field(default_factory=dict)      # update: {"field": [before, after]}
    house_number: str = ""
    compare: bytes = b""                             # digest of the row's content: a repeated row or a clash

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def shown_id(self) -> str:
        """The ID number masked, valid or not: one with a wrong check digit is still someone's number. What Excel
        made of it (3.40102E+17) has lost its digits and is shown as it is, so the damage shows."""
        text = china.normalize_id(self.id_number)
        return china.mask_id(text) if re.fullmatch(r"\d{14,17}[\dX]", text) else self.id_number

    def explanation(self) -> str:
        parts = list(self.reasons) + list(self.notes)
        if self.action == "update":
            parts += [f"{CHANGE_LABELS.get(k, k)}：{_shown(k, old)} → {_shown(k, new)}"
                      for k, (old, new) in self.changes.items() if k != "household_id"]
        if self.house_number and (self.action == "add" or "household_id" in self.changes):
            parts.append(f"住户：门牌 {self.house_number}")
        return "".join(p if p.endswith(("。", "；")) else p + "；" for p in parts).rstrip("；")


def _shown(key: str, value) -> str:
    if value in (None, "", []):
        return "（空）"
    if key == "categories":
        return "、".join(value)
    if key == "sex":
        return {"1": "男", "2": "女"}.get(value, value)
    if key == "kind":
        return KIND_LABELS.get(value, value)
    return str(value)


@dataclass
class Preview:
    table: Table
    mapping: list[str]
    options: ImportOptions
    rows: list[RowOutcome]
    villages: dict[str, str]             # village id → name (for showing)
    new_households: dict[tuple, dict]    # (village_id, key) → household fields, made when the import runs

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTION_LABELS}

    @property
    def accepted(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.action in ("add", "update")]

    def summary(self) -> str:
        counts = self.counts
        return (f"共 {len(self.rows)} 行：新增 {counts['add']} 人，更新 {counts['update']} 人，"
                f"无变化 {counts['same']} 人，拒绝 {counts['refused']} 行，跳过 {counts['skipped']} 行。")


# ---------------------------------------------------------------------------- cell rules


_FOOTER = re.compile(r"(合计|总计|小计|共计|填表|制表|审核|负责人|单位负责|联系人|备注|说明|注)|.*[:：]")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_DECIMAL_ID = re.compile(r"\d{15,}\.\d+")


def clean_id(value) -> tuple[str, str | None]:
    """(the ID as text, why it is refused or None). An ID Excel kept as a number is damaged: reported, not guessed."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= 1e15 or (isinstance(value, float) and not value.is_integer()):
            shown = f"{float(value):.6G}"
            return shown, _message(ErrorCode.IMPORT_ROW_ID_AS_NUMBER, value=shown)
        value = str(int(value))
    text = china.normalize_id(clean_text(value)).lstrip("'`")
    if not text:
        return "", None
    if _SCIENTIFIC.fullmatch(text) or _DECIMAL_ID.fullmatch(text):
        return text, _message(ErrorCode.IMPORT_ROW_ID_AS_NUMBER, value=text)
    problem = china.id_problem(text)
    if problem is None:
        return text, None
    if re.fullmatch(r"\d{15}000", text):
        return text, _message(ErrorCode.IMPORT_ROW_ID_ZEROED, value=text)
    return text, _message(ErrorCode.IMPORT_ROW_ID_INVALID, problem=problem)


def clean_name(value) -> str:
    """A name without the spaces rosters pad two-character names with (张　三 → 张三)."""
    text = clean_text(value)
    if re.fullmatch(r"[\u3400-\u9fff·\s]+", text):
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", text)


def parse_sex(value) -> str:
    text = clean_text(value).upper()
    return {"男": "1", "男性": "1", "M": "1", "1": "1", "女": "2", "女性": "2", "F": "2", "2": "2"}.get(text, "?")


_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s.*)?")
_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def parse_birth(value) -> tuple[int, ...] | None:
    """(year, month, day) or (year, month) for 出生年月; None when it is not a date."""
    if isinstance(value, datetime):
        return value.year, value.month, value.day
    if isinstance(value, date):
        return value.year, value.month, value.day
    text = clean_text(value)
    if m := _YMD.fullmatch(text):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m := _YM.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})", text):
        return int(m.group(1)), int(m.group(2))
    return None


def split_categories(value) -> list[str]:
    return [c for c in re.split(r"[、,，;；/\s]+", clean_text(value)) if c]


def kind_from(categories: Iterable[str], born: date | None, today: date) -> str | None:
    words = "".join(categories)
    if any(w in words for w in ("老人", "老年", "高龄", "失能", "空巢", "特困")):
        return "elder"
    if any(w in words for w in ("儿童", "孤儿", "未成年", "事实无人抚养")):
        return "child"
    if born is not None:
        age = china.age_on(born, today)
        if age < 18:
            return "child"
        if age >= 60:
            return "elder"
    return None


def _village_key(name: str) -> str:
    return re.sub(r"(村民委员会|村委会|居委会|社区|村)$", "", clean_text(name).replace(" ", ""))


def _house_key(number: str) -> str:
    return re.sub(r"号$", "", clean_text(number).replace(" ", ""))


# ---------------------------------------------------------------------------- the analysis


def analyse(store: Store, table: Table, mapping: list[str], options: ImportOptions | None = None, *,
            today: date | None = None) -> Preview:
    """What importing ``table`` would do, row by row; writes nothing."""
    options = options or ImportOptions()
    today = today or date.today()
    for key in REQUIRED:
        if key not in mapping:
            raise CunFangError(ErrorCode.IMPORT_NOT_MAPPED, field=FIELD_BY_KEY[key].label)
    columns = {key: mapping.index(key) for key in dict.fromkeys(m for m in mapping if m)}
    villages = store.villages()
    names = {v["id"]: v["name"] for v in villages}
    by_name: dict[str, str] = {}
    for v in villages:
        by_name.setdefault(v["id"], v["id"])
        by_name.setdefault(clean_text(v["name"]), v["id"])
        by_name.setdefault(_village_key(v["name"]), v["id"])
    default_village = options.village_id or _village_in_title(table.title, villages) or (
        villages[0]["id"] if len(villages) == 1 else None)

    outcomes = [_row_outcome(table, i, columns, options, by_name, names, default_village, today)
                for i in range(len(table.rows))]
    _refuse_duplicates(outcomes)
    existing = _existing_persons(store, [o.id_number for o in outcomes if o.action == "add"])
    households = _existing_households(store, {o.household[0] for o in outcomes if o.household})
    new_households: dict[tuple, dict] = {}
    for outcome in outcomes:
        if outcome.action != "add":
            continue
        household = outcome.values.pop("_household", None)
        if outcome.household:
            outcome.values["household_id"] = households.get(outcome.household)
        person = existing.get(outcome.id_number)
        if outcome.values["kind"] is None:  # neither chosen nor told by the row: the registry may know
            if person is not None and person["kind"] in ("elder", "child"):
                outcome.values["kind"] = person["kind"]
            else:
                outcome.reasons.append(_message(ErrorCode.IMPORT_ROW_KIND_UNKNOWN))
        if outcome.values["village_id"] is None:
            if person is not None and person["village_id"]:
                outcome.values["village_id"] = person["village_id"]
            else:
                outcome.reasons.insert(0, _message(ErrorCode.IMPORT_ROW_NO_VILLAGE))
        if outcome.reasons:
            outcome.action = "refused"
            continue
        if person is not None:
            _compare_with(outcome, person, column_village="village" in columns, explicit_kind=bool(options.kind))
        if outcome.action in ("add", "update") and outcome.household and outcome.values.get("household_id") is None:
            new_households.setdefault(outcome.household, household)
    return Preview(table=table, mapping=list(mapping), options=options, rows=outcomes, villages=names,
                   new_households=new_households)


def _village_in_title(title: str, villages: list[dict]) -> str | None:
    found = [v for v in villages if v["name"] and v["name"] in title]
    return max(found, key=lambda v: len(v["name"]))["id"] if found else None


def _row_outcome(table: Table, index: int, columns: dict[str, int], options: ImportOptions,
                 by_name: dict[str, str], names: dict[str, str], default_village: str | None,
                 today: date) -> RowOutcome:
    cells = table.rows[index]

    def cell(key: str):
        return cells[columns[key]] if key in columns else None

    outcome = RowOutcome(row=table.row_numbers[index])
    outcome.name = clean_name(cell("name"))
    outcome.id_number, id_reason = clean_id(cell("id_number"))
    if not outcome.id_number and (not outcome.name or _FOOTER.match(outcome.name)):
        outcome.action = "skipped"
        outcome.reasons.append(_message(ErrorCode.IMPORT_ROW_NOT_PERSON))
        return outcome
    texts = {key: clean_text(cell(key)) for key in columns if key not in ("name", "id_number")}
    outcome.compare = hashlib.blake2b(json.dumps([outcome.name, sorted(texts.items())], ensure_ascii=False)
                                      .encode(), digest_size=16).digest()  # 16 bytes kept per row, not the cells
    reasons = outcome.reasons
    if not outcome.name:
        reasons.append(_message(ErrorCode.IMPORT_ROW_MISSING, field="姓名"))
    if not outcome.id_number:
        reasons.append(_message(ErrorCode.IMPORT_ROW_MISSING_ID))
    elif id_reason:
        reasons.append(id_reason)

    village_text = texts.get("village", "")
    if village_text:
        village_id = by_name.get(village_text) or by_name.get(_village_key(village_text))
        if village_id is None:
            reasons.append(_message(ErrorCode.IMPORT_ROW_VILLAGE_UNKNOWN, village=village_text,
                                    known="、".join(names.values()) or "无"))
    else:
        village_id = default_village  # None: the registry's person may have one (analyse)

    born = china.id_birth_date(outcome.id_number) if not id_reason and outcome.id_number else None
    categories = split_categories(texts.get("categories", ""))
    if options.category and options.category not in categories:
        categories.append(options.category)
    kind = options.kind or kind_from(categories, born, today)  # None: the registry's person may tell (analyse)
    if reasons:
        outcome.action = "refused"
        return outcome

    values: dict = {"name": outcome.name, "id_number": outcome.id_number, "kind": kind,
                    "sex": china.id_sex(outcome.id_number), "birth_date": born.isoformat(),
                    "categories": categories, "village_id": village_id, "phone": "", "risk_tier": "",
                    "household_id": None}
    sex_text = texts.get("sex", "")
    if sex_text and parse_sex(sex_text) != values["sex"]:
        outcome.notes.append(_message(ErrorCode.IMPORT_NOTE_SEX, value=sex_text))
    birth = parse_birth(cell("birth_date")) if texts.get("birth_date") else None
    if texts.get("birth_date") and (birth is None or birth != (born.year, born.month, born.day)[: len(birth)]):
        outcome.notes.append(_message(ErrorCode.IMPORT_NOTE_BIRTH, value=texts["birth_date"]))
    if texts.get("phone"):
        values["phone"] = china.normalize_mobile(texts["phone"])
    tier = texts.get("risk_tier", "")
    if tier:
        from app.schedule import TIER_CODES

        if tier in TIER_CODES:
            values["risk_tier"] = tier
        else:
            outcome.notes.append(_message(ErrorCode.IMPORT_NOTE_IGNORED, field="风险等级", value=tier))
    extra = {key: texts[key] for key in EXTRA_FIELDS if texts.get(key)}
    house = texts.get("house_number", "")
    if house and village_id:
        outcome.household = (village_id, _house_key(house))
        outcome.house_number = house
        values["_household"] = {"village_id": village_id, "group_name": texts.get("group", ""),
                                "house_number": house, "address": texts.get("address", "")}
    else:
        extra |= {key: texts[source] for key, source in (("group_name", "group"), ("address", "address"))
                  if texts.get(source)}
    values["extra"] = extra
    outcome.values = values
    return outcome


def _refuse_duplicates(outcomes: list[RowOutcome]) -> None:
    """Rows sharing an ID number: a repeated copy is refused after the first; different contents, all of them."""
    groups: dict[str, list[RowOutcome]] = {}
    for outcome in outcomes:
        if outcome.action != "skipped" and china.id_valid(outcome.id_number):
            groups.setdefault(outcome.id_number, []).append(outcome)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        first = rows[0]
        if all(r.compare == first.compare for r in rows):
            for r in rows[1:]:
                r.action = "refused"
                r.reasons.append(_message(ErrorCode.IMPORT_ROW_REPEATED, other=first.row))
            continue
        for r in rows:
            r.action = "refused"
            others = "、".join(str(o.row) for o in rows if o is not r)
            r.reasons.append(_message(ErrorCode.IMPORT_ROW_DUPLICATE, other=others))


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_persons(store: Store, id_numbers: list[str]) -> dict[str, dict]:
    return batches.unscoped_persons_by_id_number(store, id_numbers)


def _existing_households(store: Store, village_ids: set[str]) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    for row in batches.households_in(store, village_ids):
        found.setdefault((row["village_id"], _house_key(row["house_number"])), row["id"])
    return found


def _compare_with(outcome: RowOutcome, person: dict, *, column_village: bool, explicit_kind: bool) -> None:
    """The row names a person already in the registry: an update of what differs, or nothing to do."""
    values = outcome.values
    if person["kind"] in ("elder", "child") and values["kind"] != person["kind"]:
        if explicit_kind:
            outcome.action = "refused"
            outcome.reasons.append(_message(ErrorCode.IMPORT_ROW_KIND_MISMATCH, name=person["name"],
                                            existing=KIND_LABELS[person["kind"]],
                                            wanted=KIND_LABELS[values["kind"]]))
            return
        values["kind"] = person["kind"]  # guessed from the row: the registry knows better
    outcome.person_id = person["id"]
    changes: dict = {}
    for key in ("name", "sex", "birth_date", "phone", "kind", "risk_tier", "household_id"):
        new = values.get(key)
        if new not in (None, "") and new != person[key]:
            changes[key] = [person[key], new]
    if outcome.household and values.get("household_id") is None:
        if person["household_id"]:
            outcome.household = None  # keep the household the person has; do not make another
        else:
            changes["household_id"] = [None, NEW_HOUSEHOLD]  # made when the import runs
    if values.get("village_id") and values["village_id"] != person["village_id"] and (
            column_village or not person["village_id"]):
        changes["village_id"] = [person["village_id"], values["village_id"]]
    old_categories = json.loads(person["categories"] or "[]")
    merged = old_categories + [c for c in values["categories"] if c not in old_categories]
    if merged != old_categories:
        changes["categories"] = [old_categories, merged]
    old_extra = json.loads(person["extra"] or "{}")
    for key, new in values["extra"].items():
        if old_extra.get(key) != new:
            changes[f"extra.{key}"] = [old_extra.get(key), new]
    outcome.changes = changes
    outcome.action = "update" if changes else "same"


# ---------------------------------------------------------------------------- writing, undoing


@dataclass
class ImportResult:
    import_id: int | None
    preview: Preview

    def summary(self) -> str:
        counts = self.preview.counts
        return (f"第 {self.import_id} 次导入：新增 {counts['add']} 人，更新 {counts['update']} 人，"
                f"无变化 {counts['same']} 人，拒绝 {counts['refused']} 行，跳过 {counts['skipped']} 行。")


def run_import(store: Store, table: Table, mapping: list[str], options: ImportOptions | None = None, *,
               author: str = "", progress: Progress | None = None, today: date | None = None) -> ImportResult:
    """Write every accepted row in ONE transaction, as an import batch that ``undo_import`` can reverse.

    The rows are analysed again inside the transaction, so what is written matches the registry at that moment.
    Any failure (or ``progress`` raising, which is how a cancel arrives) leaves the store untouched.
    """
    store.scope.check("import")
    options = options or ImportOptions()
    report = progress or (lambda done, total, message: None)
    with store.small_page_cache(), store.transaction():
        preview = analyse(store, table, mapping, options, today=today)
        accepted = preview.accepted
        if not accepted:
            return ImportResult(None, preview)
        total = len(accepted)
        report(0, total, "")
        import_id = batches.add_batch(
            store, file_name=table.path.name, file_sha256=table.sha256, sheet=table.sheet, kind=options.kind or "",
            form_id=options.form_id, author=author, added=preview.count("add"), updated=preview.count("update"),
            refused=preview.count("refused"),
            mapping={h: m for h, m in zip(table.headers, mapping, strict=True) if m})
        made = {}
        for key, fields in preview.new_households.items():
            made[key] = store.add_household(**fields)
            batches.add_household(store, import_id, made[key])
        done = 0
        for chunk in _chunks(accepted, 200):
            new_people = []
            for outcome in chunk:
                values = outcome.values
                if outcome.household and values.get("household_id") is None:
                    values["household_id"] = made[outcome.household]
                    if outcome.action == "update":
                        outcome.changes["household_id"] = [None, values["household_id"]]
                if outcome.action == "add":
                    outcome.person_id = str(uuid.uuid4())
                    new_people.append({"id": outcome.person_id, **values})
                else:
                    _apply_changes(store, outcome.person_id, outcome.changes)
            if new_people:
                store.insert_persons(new_people)
            batches.add_entries(store, import_id, [(o.person_id, "added" if o.action == "add" else "updated", o.row,
                                                    o.changes) for o in chunk])
            done += len(chunk)
            report(done, total, "")
        remember_mapping(store, table.headers, mapping)
        append(store, "import", subject=str(import_id), user=author,
               detail={"file": table.path.name, "sha256": table.sha256, "added": preview.count("add"),
                       "updated": preview.count("update"), "refused": preview.count("refused")})
    return ImportResult(import_id, preview)


def _apply_changes(store: Store, person_id: str, changes: dict) -> None:
    """Set each changed field to its "after" value (extra keys merged into the person's extra)."""
    fields = {k: new for k, (old, new) in changes.items() if not k.startswith("extra.")}
    extra_changes = {k[len("extra."):]: new for k, (old, new) in changes.items() if k.startswith("extra.")}
    if extra_changes:
        extra = json.loads(store.get_person(person_id)["extra"] or "{}")
        for key, value in extra_changes.items():
            if value is None:
                extra.pop(key, None)
            else:
                extra[key] = value
        fields["extra"] = extra
    store.update_person(person_id, **fields)


def list_imports(store: Store, limit: int = 50) -> list[dict]:
    return batches.list_batches(store, limit)


@dataclass
class UndoResult:
    import_id: int
    removed: int
    restored: int
    kept: int      # fields changed again after the import: their newer values were kept

    def summary(self) -> str:
        text = (f"已撤销第 {self.import_id} 次导入：删除了导入新增的 {self.removed} 人，"
                f"恢复了 {self.restored} 人导入前的信息。")
        if self.kept:
            text += f"有 {self.kept} 项在导入后又被修改过，保留了修改后的内容。"
        return text


def undo_import(store: Store, import_id: int, *, author: str = "") -> UndoResult:
    """Reverse an import whole, or refuse (changing nothing) when what it added is used by something since."""
    store.scope.check("import")
    with store.transaction():
        found = batches.batch(store, import_id)
        if found is None:
            raise CunFangError(ErrorCode.IMPORT_NOT_FOUND, import_id=import_id)
        if found["undone_at"]:
            raise CunFangError(ErrorCode.IMPORT_ALREADY_UNDONE, import_id=import_id,
                               at=found["undone_at"][:16].replace("T", " "))
        entries = batches.entries(store, import_id)
        added = [e["person_id"] for e in entries if e["action"] == "added"]
        households = batches.households_of(store, import_id)
        _refuse_undo(import_id, _added_in_use(store, import_id, added))
        batches.defer_foreign_keys(store)  # an added guardian goes with the added child
        restored = kept = 0
        for entry in entries:
            if entry["action"] != "updated":
                continue
            back, stale = _restore_fields(store, entry["person_id"], json.loads(entry["changes"]))
            kept += stale
            if back:
                _apply_changes(store, entry["person_id"], back)
                restored += 1
        batches.delete_persons(store, added)
        _refuse_undo(import_id, _households_in_use(store, households))  # raising here rolls everything back
        batches.delete_households(store, households)
        batches.mark_undone(store, import_id)
        append(store, "import_undo", subject=str(import_id), user=author,
               detail={"removed": len(added), "restored": restored, "kept": kept})
    return UndoResult(import_id, removed=len(added), restored=restored, kept=kept)


def _refuse_undo(import_id: int, problems: list[str]) -> None:
    if problems:
        shown = "；".join(problems[:5]) + (f"（等 {len(problems)} 项）" if len(problems) > 5 else "")
        raise CunFangError(ErrorCode.IMPORT_UNDO_BLOCKED, import_id=import_id, reasons=shown)


def _added_in_use(store: Store, import_id: int, added: list[str]) -> list[str]:
    """Why persons the import added cannot simply go: records about them, sent to the server, used since."""
    problems = []
    added_set = set(added)
    use = batches.persons_use(store, import_id, added)
    names: dict[str, str] = {row["id"]: row["name"] for row in use["persons"]}
    problems += [_message(ErrorCode.IMPORT_UNDO_SYNCED, name=row["name"])
                 for row in use["persons"] if row["server_seq"] is not None]
    problems += [_message(ErrorCode.IMPORT_UNDO_HAS_RECORDS, name=names.get(person, ""), count=n)
                 for person, n in use["records"].items()]
    problems += [_message(ErrorCode.IMPORT_UNDO_GUARDIAN, name=names.get(row["guardian_id"], ""), other=row["name"])
                 for row in use["wards"] if row["id"] not in added_set]
    problems += [_message(ErrorCode.IMPORT_UNDO_LATER_IMPORT, name=names.get(person, ""), later=later)
                 for person, later in use["later"].items()]
    problems += [_message(ErrorCode.IMPORT_UNDO_GONE, person_id=p[:8]) for p in added if p not in names]
    return problems


def _households_in_use(store: Store, households: list[str]) -> list[str]:
    """Households the import made that someone still uses once its persons are gone (or the server has)."""
    return [_message(ErrorCode.IMPORT_UNDO_HOUSEHOLD_USED, number=row["house_number"])
            for row in batches.households_use(store, households)
            if row["recorded"] or row["lived_in"] or row["server_seq"] is not None]


def _restore_fields(store: Store, person_id: str, changes: dict) -> tuple[dict, int]:
    """The fields to set back ({"field": [now, before]}) and how many changed again since (kept as they are)."""
    person = batches.unscoped_person(store, person_id)
    if person is None:
        return {}, len(changes)
    extra = json.loads(person["extra"] or "{}")
    back, stale = {}, 0
    for key, (before, after) in changes.items():
        if key.startswith("extra."):
            current = extra.get(key[len("extra."):])
        elif key == "categories":
            current = json.loads(person["categories"] or "[]")
        else:
            current = person[key]
        if current == after:
            back[key] = [after, before]
        else:
            stale += 1
    return back, stale


# ---------------------------------------------------------------------------- the per-row report


def write_report(preview: Preview, path: Path) -> None:
    """The per-row outcome as an .xlsx (ID numbers masked; every cell text, so nothing becomes 3.4E+17)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入结果"
    sheet.append(["行号", "结果", "姓名", "身份证号", "原因或说明"])
    red = PatternFill("solid", fgColor="FFD9D9")
    for outcome in preview.rows:
        sheet.append([outcome.row, outcome.label, outcome.name, outcome.shown_id, outcome.explanation()])
        if outcome.action == "refused":
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDE", (8, 8, 12, 22, 80), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        workbook.save(partial)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        full = disk_full(exc, action="保存导入结果", path=path.parent)
        if full is None:
            raise
        raise full from exc
