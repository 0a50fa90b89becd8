"""What goes on the paper: a filled record or a blank form laid out as the paper form (pure Python, no Qt).

``record_printout`` and ``blank_printout`` walk a ``FormDef`` through a ``FormSession`` into a ``Printout``:
the title, the record's facts, each group as a section with its label, each question's label and answer
(choice labels, never codes; repeats as small tables; blanks to fill by hand) and the signature lines.
``to_html`` turns a printout into the HTML that ``ui/printing.py`` renders onto A4 pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from app.forms.model import Choice, Control, FormDef, pick
from app.forms.session import FormSession
from app.forms.xpath.nodes import Node

SIGNATURES = ("填表人", "复核人")
MAX_BOXES = 30  # a select with more choices (民族, 村) is a line to write on, not a page of boxes
BLANK_TABLE_ROWS = 3
NOT_APPLICABLE = "／"  # a cell that does not apply to this row (a question not relevant there)


@dataclass
class Field:
    """One question: its label and its answer, or what to fill in by hand when the answer is blank."""

    label: str
    answer: str = ""  # the answer as printed; "" leaves room to write
    kind: str = "text"  # text lines date datetime time choices note image signature geopoint id mobile
    choices: list[str] = field(default_factory=list)  # the labels printed with □ when the answer is blank
    multiple: bool = False
    hint: str = ""
    condition: str = ""  # when the question applies (blank forms)
    attachment: str = ""  # the file name of a photo or signature kept with the record


@dataclass
class Table:
    """A repeat: one row per instance, one column per question; blank rows to fill by hand."""

    label: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    blank_rows: int = 0
    blank_choices: list[list[str]] = field(default_factory=list)  # per column: □ choices in a blank row
    condition: str = ""


@dataclass
class Section:
    label: str
    items: list = field(default_factory=list)  # Field | Table | Section


PLACE_LABELS = ("乡镇（街道）", "村（居）")


@dataclass
class Printout:
    title: str
    meta: list[tuple[str, str]]  # (label, value); an empty value is a blank to fill in
    sections: list[Section]
    place: list[tuple[str, str]] = field(default_factory=list)  # 乡镇（街道）and 村（居）, a line of their own
    blank: bool = False
    signatures: tuple[str, ...] = SIGNATURES
    footer: str = ""

    def fields(self):
        """Every question printed, in order (sections and tables flattened)."""

        def walk(items):
            for item in items:
                if isinstance(item, Section):
                    yield from walk(item.items)
                else:
                    yield item

        for section in self.sections:
            yield from walk(section.items)


# ---------------------------------------------------------------------------------------------- building


def record_printout(form: FormDef, data: dict, *, record_id: str = "", filled_on: str = "", status: str = "",
                    town: str = "", village: str = "", lang: str | None = None) -> Printout:
    """A filled record as the paper form: relevant questions only, answers as the person chose them.

    ``town`` and ``village`` (the record's village, from the store's villages table) head the page; one not known
    is a blank to fill in by hand.
    """
    from app.forms.fill import apply_answers

    session = FormSession(form, lang=lang)
    apply_answers(session, data, saved=True)
    builder = _Builder(session, blank=False)
    meta = [("表单版本", form.version or "—"), ("记录编号", record_id), ("填表日期", filled_on)]
    if status:
        meta.append(("状态", status))
    title = form.title or form.form_id
    return Printout(title=title, meta=meta, sections=builder.sections(form.controls, session.root),
                    place=list(zip(PLACE_LABELS, (town, village), strict=True)),
                    footer=f"{title}　记录编号 {record_id}" if record_id else title)


def blank_printout(form: FormDef, *, lang: str | None = None) -> Printout:
    """The blank paper form for when the laptop is not at hand: every question, with room to write."""
    session = FormSession(form, lang=lang)
    builder = _Builder(session, blank=True)
    title = form.title or form.form_id
    meta = [("表单版本", form.version or "—"), ("记录编号", ""), ("填表日期", "")]
    return Printout(title=title, meta=meta, sections=builder.sections(form.controls, session.root), blank=True,
                    footer=f"{title}（空白表，版本 {form.version}）" if form.version else f"{title}（空白表）")


class _Builder:
    def __init__(self, session: FormSession, *, blank: bool):
        self.session, self.form, self.blank = session, session.form, blank

    def shown(self, node: Node | None) -> bool:
        return node is not None and (self.blank or node.relevant)

    def sections(self, controls: list[Control], root: Node) -> list[Section]:
        """Top-level groups and repeats are sections; questions outside any group share an untitled one."""
        out: list[Section] = []
        loose: Section | None = None
        for control in controls:
            if control.kind in ("group", "repeat"):
                loose = None
                item = self.item(control, root)
                if item is None:
                    continue
                if isinstance(item, Table):
                    item = Section(item.label, [item])
                    item.items[0].label = ""
                if item.items:
                    out.append(item)
                continue
            found = self.item(control, root)
            if found is None:
                continue
            if loose is None:
                loose = Section("")
                out.append(loose)
            loose.items.append(found)
        return out

    def item(self, control: Control, container: Node):
        if control.kind == "group":
            node = self.session.node(control.ref, container) if control.ref else container
            if not self.shown(node):
                return None
            section = Section(self.session.label(control, node))
            for child in control.children:
                found = self.item(child, node)
                if found is not None:
                    section.items.append(found)
            return section if section.items else None
        if control.kind == "repeat":
            return self.table(control, container)
        node = self.session.node(control.ref, container)
        if not self.shown(node):
            return None
        return self.field(control, node)

    # -- questions

    def field(self, control: Control, node: Node) -> Field:
        session = self.session
        qtype = control.qtype
        label = self.label(control, node)
        out = Field(label=label, hint=self.text(control.hints, node) if self.blank else "",
                    condition=self.condition(control) if self.blank else "")
        if qtype == "note":
            out.kind = "note"
            return out
        value = "" if self.blank else node.value
        if qtype in ("select_one", "select_multiple", "rank"):
            out.multiple = qtype != "select_one"
            choices = self.choices(control, node)
            if value:
                out.answer = self.chosen(choices, value, node, qtype)
            elif len(choices) <= MAX_BOXES:
                out.kind = "choices"
                out.choices = [session.choice_label(c, node) for c in choices]
            return out
        if qtype in ("image", "file", "audio", "video"):
            signature = "signature" in control.appearance or "draw" in control.appearance
            out.kind = "signature" if signature else "image"
            out.attachment = value
            out.answer = value
            return out
        if qtype in ("geopoint", "geotrace", "geoshape"):
            out.kind = "geopoint"
            out.answer = geopoint_text(value) if qtype == "geopoint" else value
            return out
        if qtype in ("date", "datetime", "time"):
            out.kind = qtype
            out.answer = date_text(value, qtype)
            return out
        if qtype == "acknowledge":
            out.answer = "已确认" if value else ""
            return out
        if "multiline" in control.appearance or control.params.get("rows"):
            out.kind = "lines"
        bind = self.form.binds.get(control.ref)
        checked = bind.constraint.text if bind is not None and bind.constraint is not None else ""
        if "cn-id-valid(" in checked:
            out.kind = "id"  # a blank one is 18 boxes, one per digit
        elif "cn-mobile-valid(" in checked:
            out.kind = "mobile"
        out.answer = value
        return out

    def label(self, control: Control, node: Node) -> str:
        if not self.blank:
            return self.session.label(control, node) or control.name
        return self.text(control.labels, node) or control.name

    def text(self, by_lang: dict, node: Node) -> str:
        """A label or hint; in a blank form there is nothing to compute, so ${} outputs are blanks to fill in."""
        text = pick(by_lang, self.session.lang)
        if text is None:
            return ""
        return "".join(p if isinstance(p, str) else "____" for p in text.parts).strip()

    def choices(self, control: Control, node: Node) -> list[Choice]:
        """The choices of a select; in a blank form a choice filter may have nothing to filter by yet."""
        try:
            return self.session.choices(control, node)
        except Exception:  # noqa: BLE001 - a filter reading an answer that is not there
            return list(control.choices or [])

    def chosen(self, choices: list[Choice], value: str, node: Node, qtype: str) -> str:
        labels = {c.value: self.session.choice_label(c, node) for c in choices}
        picked = value.split() if qtype != "select_one" else [value]
        texts = [labels.get(v, v) for v in picked]
        if qtype == "rank":
            return "　".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
        return "、".join(texts)

    # -- repeats

    def table(self, control: Control, container: Node) -> Table | None:
        session = self.session
        parent_path = control.ref.rsplit("/", 1)[0]
        parents = session.nodes(parent_path, container)
        if not parents or not self.shown(parents[0]):
            return None
        parent = parents[0]
        columns = [c for c in _leaves(control.children) if c.qtype != "note"]
        if not columns:
            return None
        title = session.label(control, parent) or control.name
        table = Table(label=title, columns=[self.label(c, parent) for c in columns],
                      condition=self.condition(control) if self.blank else "")
        instances = [] if self.blank else session.repeat_instances(control.ref, parent)
        if not self.blank and not instances and not self._repeat_relevant(control, parent):
            return None
        for instance in instances:
            if not instance.relevant:
                continue
            row = []
            for column in columns:
                if column.kind == "repeat":
                    row.append(self._nested_summary(column, instance))
                    continue
                node = session.node(column.ref, instance)
                if node is None or not node.relevant:
                    row.append(NOT_APPLICABLE)
                    continue
                row.append(_cell_text(self.field(column, node)))
            table.rows.append(row)
        if not table.rows:
            table.blank_rows = BLANK_TABLE_ROWS
            for column in columns:
                labels = []
                if column.kind != "repeat" and column.qtype in ("select_one", "select_multiple"):
                    choices = self.choices(column, session.node(column.ref, parent) or parent)
                    if len(choices) <= MAX_BOXES // 3:
                        labels = [session.choice_label(c) for c in choices]
                table.blank_choices.append(labels)
        return table

    def _repeat_relevant(self, control: Control, parent: Node) -> bool:
        bind = self.form.binds.get(control.ref)
        if bind is None or bind.relevant is None:
            return parent.relevant
        from app.forms.xpath.values import to_boolean

        return parent.relevant and to_boolean(bind.relevant.fn(self.session._ctx(parent)))

    def _nested_summary(self, control: Control, instance: Node) -> str:
        columns = [c for c in _leaves(control.children) if c.kind != "repeat" and c.qtype != "note"]
        rows = []
        for inner in self.session.repeat_instances(control.ref, instance):
            cells = []
            for column in columns:
                node = self.session.node(column.ref, inner)
                if node is not None and node.relevant and node.value:
                    cells.append(_cell_text(self.field(column, node)))
            rows.append("，".join(cells))
        return "；".join(r for r in rows if r)

    # -- when a question applies (blank forms)

    def condition(self, control: Control) -> str:
        """``relevant`` in words when it is a simple condition on a select ("“探访方式”选“其他”时填写")."""
        bind = self.form.binds.get(control.ref)
        if bind is None or bind.relevant is None:
            return ""
        text = " ".join(bind.relevant.text.split())
        joiner, parts = "并且", [text]
        if " or " in text and " and " not in text:
            joiner, parts = "或", text.split(" or ")
        elif " and " in text and " or " not in text:
            parts = text.split(" and ")
        described = [self._describe(part.strip()) for part in parts]
        if all(described):
            return joiner.join(described) + "时填写"
        return "视情况填写"

    def _describe(self, text: str) -> str | None:
        m = _SELECTED.fullmatch(text)
        if m:
            path, value, verb = m.group(1), m.group(2), "选了"
        else:
            m = _COMPARE.fullmatch(text)
            if not m:
                return None
            path, op, value = m.group(1), m.group(2), m.group(3)
            verb = "选" if op == "=" else "不是"
        target = self.session.control(path)
        if target is None or target.qtype not in ("select_one", "select_multiple"):
            return None
        node = self.session.node(path)
        choices = self.choices(target, node or self.session.root)
        choice = next((c for c in choices if c.value == value), None)
        if choice is None:
            return None
        question = self.label(target, node or self.session.root)
        return f"“{question}”{verb}“{self.session.choice_label(choice)}”"


_SELECTED = re.compile(r"selected\(\s*(/[\w./-]+)\s*,\s*'([^']*)'\s*\)")
_COMPARE = re.compile(r"(/[\w./-]+)\s*(=|!=)\s*'([^']*)'")


def _leaves(controls: list[Control]) -> list[Control]:
    """The questions of a repeat, groups inside it flattened; a nested repeat counts as one column."""
    out = []
    for control in controls:
        if control.kind == "group":
            out.extend(_leaves(control.children))
        else:
            out.append(control)
    return out


def _cell_text(item: Field) -> str:
    if item.kind in ("image", "signature"):
        return "已附" if item.answer else ""
    return item.answer


# ---------------------------------------------------------------------------------------------- values


def date_text(value: str, qtype: str = "date") -> str:
    """2026-05-03 → 2026年5月3日; a date-time adds the hour and minute; a time is 10:30."""
    if not value:
        return ""
    if qtype == "time":
        m = re.match(r"(\d{1,2}):(\d{2})", value)
        return f"{int(m.group(1))}:{m.group(2)}" if m else value
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?", value)
    if not m:
        return value
    text = f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日"
    if qtype == "datetime" and m.group(4):
        text += f" {int(m.group(4))}:{m.group(5)}"
    return text


def geopoint_text(value: str) -> str:
    """"31.72 117.22 35 8" → 纬度 31.72，经度 117.22（精度 8 米）."""
    parts = value.split()
    if len(parts) < 2:
        return value
    text = f"纬度 {parts[0]}，经度 {parts[1]}"
    if len(parts) >= 4:
        text += f"（精度 {parts[3]} 米）"
    return text


# ---------------------------------------------------------------------------------------------- HTML

# The page is a stack of blocks, each a small piece of HTML in the subset Qt's rich text understands
# (tables with per-cell borders, padding, background colours, point sizes). The renderer measures each
# block and never splits one across pages: a question stays whole, a heading stays with what follows it,
# and a table continued on the next page repeats its column headings there.

CONTENT_WIDTH_CHARS = 47  # Chinese characters at 10.5pt across the A4 text width (175 mm)
_LINE = "border-bottom: 1px solid #000;"
_CELL = "border: 1px solid #000; padding: 5px;"
_LABEL_CELL = _CELL + " background-color: #f2f2f2;"
_SMALL = "font-size: 8.5pt; color: #555;"
_TABLE = "<table width='100%' cellspacing='0' cellpadding='0' style='border-collapse: collapse;'>"


@dataclass
class Block:
    html: str
    keep_with_next: bool = False  # a heading: moves to the next page with the block after it
    ruled: bool = True  # a bordered table row: overlaps the ruled block above by its border
    gap_before: int = 0  # CSS pixels of space above (between sections)
    header: str = ""  # HTML drawn first when this block starts a page (a table's column headings)


def html_blocks(printout: Printout, *, images: frozenset[str] | set[str] = frozenset()) -> list[Block]:
    """The printout as blocks of HTML, top to bottom. ``images`` names attachments the renderer can
    draw (``<img src="attachment:NAME">``); other photos and signatures are named, not drawn."""
    blocks = [Block(_title_html(printout), keep_with_next=True, ruled=False)]
    for section in printout.sections:
        _section_blocks(section, images, blocks, level=1)
    blocks.append(Block(_signatures_html(printout.signatures), ruled=False, gap_before=18))
    return blocks


def _meta_row(pairs: list[tuple[str, str]], *, size: str = "9pt", margin: int = 6) -> str:
    cells = []
    for label, value in pairs:
        if value:
            shown = f"<td style='padding: 2px 12px 2px 0px;'>{escape(label)}：{escape(value)}</td>"
        elif label.endswith("日期"):
            shown = f"<td style='padding: 2px 12px 2px 0px;'>{escape(label)}：{_date_blank()}</td>"
        else:
            shown = (f"<td style='padding: 2px 0px;'>{escape(label)}：</td>"
                     f"<td width='22%' style='{_LINE} padding: 2px 0px;'>&nbsp;</td><td width='3%'></td>")
        cells.append(shown)
    return (f"<table cellspacing='0' cellpadding='0' style='font-size: {size}; margin-bottom: {margin}px;'><tr>"
            + "".join(cells) + "</tr></table>")


def _title_html(printout: Printout) -> str:
    place = _meta_row(printout.place, size="10.5pt", margin=2) if printout.place else ""
    return (f"<p align='center' style='font-size: 18pt; font-weight: bold; margin: 0px 0px 8px 0px;'>"
            f"{escape(printout.title)}</p>" + place + _meta_row(printout.meta))


def _section_blocks(section: Section, images, blocks: list[Block], *, level: int) -> None:
    if section.label:
        size, colour = ("11.5pt", "#d9d9d9") if level == 1 else ("10.5pt", "#ebebeb")
        blocks.append(Block(f"{_TABLE}<tr><td style='{_CELL} background-color: {colour}; font-size: {size}; "
                            f"font-weight: bold;'>{escape(section.label)}</td></tr></table>",
                            keep_with_next=True, gap_before=10 if level == 1 else 0))
    elif level == 1:
        blocks.append(Block("", ruled=False, gap_before=10))
    for item in section.items:
        if isinstance(item, Section):
            _section_blocks(item, images, blocks, level=level + 1)
        elif isinstance(item, Table):
            _table_blocks(item, blocks)
        else:
            blocks.append(Block(f"{_TABLE}{_field_html(item, images)}</table>"))


def _field_html(item: Field, images) -> str:
    label = escape(item.label)
    if item.kind == "note":
        return f"<tr><td style='{_CELL} font-size: 9.5pt; color: #333;'><i>{label}</i></td></tr>"
    extra = []
    if item.condition:
        extra.append(escape(item.condition))
    if item.multiple and item.kind == "choices":
        extra.append("可多选")
    if item.hint:
        extra.append(escape(item.hint))
    small = f"<br><span style='{_SMALL}'>（{'；'.join(extra)}）</span>" if extra else ""
    return (f"<tr><td width='30%' style='{_LABEL_CELL}'>{label}{small}</td>"
            f"<td width='70%' style='{_CELL}'>{_answer_html(item, images)}</td></tr>")


def _answer_html(item: Field, images) -> str:
    if item.kind in ("image", "signature"):
        if item.attachment and item.attachment in images:
            return f"<img src='attachment:{escape(item.attachment, quote=True)}'>"
        if item.answer:
            what = "签字" if item.kind == "signature" else "照片"
            return f"已附{what}（{escape(item.answer)}，见电子记录）"
        if item.kind == "signature":
            return "&nbsp;<br>" * 2
        return f"<span style='{_SMALL}'>（照片另附）</span>" + "<br>&nbsp;" * 3
    if item.answer:
        return escape(item.answer).replace("\n", "<br>")
    if item.kind == "choices":
        return _boxes(item.choices, int(CONTENT_WIDTH_CHARS * 0.68)) if item.choices else "&nbsp;"
    if item.kind == "date":
        return _date_blank()
    if item.kind == "datetime":
        return _date_blank() + _spaces(4) + "时" + _spaces(4) + "分"
    if item.kind == "time":
        return _spaces(4) + "时" + _spaces(4) + "分"
    if item.kind == "geopoint":
        return "纬度" + _spaces(24) + "经度"
    if item.kind == "lines":
        return "&nbsp;<br>" * 3
    if item.kind in ("id", "mobile"):
        return _digit_boxes(18 if item.kind == "id" else 11)
    return "&nbsp;"


def _digit_boxes(count: int) -> str:
    cells = "".join("<td width='20' style='border: 1px solid #000;'>&nbsp;</td>" for _ in range(count))
    return f"<table cellspacing='0' cellpadding='3' style='border-collapse: collapse;'><tr>{cells}</tr></table>"


def _spaces(n: int) -> str:
    return "&nbsp;" * n


def _date_blank() -> str:
    return _spaces(10) + "年" + _spaces(5) + "月" + _spaces(5) + "日"


def _width(text: str) -> float:
    """Printed width in Chinese characters (Latin letters and digits are about half as wide)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def _boxes(labels: list[str], width: int, *, flow: bool = False) -> str:
    """□ before each choice: on one line when they fit, else in aligned columns, or (``flow``, in a narrow
    table cell) as many to a line as fit. Lines are made here, so a label never breaks in the middle."""
    items = [f"□&nbsp;{escape(label)}" for label in labels]
    if sum(_width(label) + 3 for label in labels) <= width:
        return _spaces(3).join(items)
    if flow:
        lines: list[list[str]] = [[]]
        used = 0.0
        for label, item in zip(labels, items, strict=True):
            need = _width(label) + 2.5
            if lines[-1] and used + need > width:
                lines.append([])
                used = 0.0
            lines[-1].append(item)
            used += need
        return "<br>".join(_spaces(2).join(line) for line in lines)
    widest = max(_width(label) for label in labels) + 2.5
    per_row = max(1, min(5, int(width // widest)))
    rows = []
    for start in range(0, len(items), per_row):
        cells = "".join(f"<td width='{100 // per_row}%' style='padding: 1px 0px;'>{item}</td>"
                        for item in items[start:start + per_row])
        rows.append(f"<tr>{cells}</tr>")
    return "<table width='100%' cellspacing='0' cellpadding='0'>" + "".join(rows) + "</table>"


def _table_blocks(table: Table, blocks: list[Block]) -> None:
    choices = table.blank_choices or [[] for _ in table.columns]
    weights = [2 if len(labels) > 3 else 1 for labels in choices]
    total = sum(weights)
    widths = [max(8, 94 * w // total) for w in weights]
    widths[widths.index(max(widths))] += 94 - sum(widths)  # the rows span the page exactly
    chars = [int(CONTENT_WIDTH_CHARS * w / 100) - 1 for w in widths]
    if table.label or table.condition:
        note = f"<span style='font-weight: normal; {_SMALL}'>（{escape(table.condition)}）</span>" \
            if table.condition else ""
        blocks.append(Block(f"{_TABLE}<tr><td style='{_CELL} background-color: #ebebeb; font-weight: bold;'>"
                            f"{escape(table.label)}{note}</td></tr></table>", keep_with_next=True))
    cells = "".join(f"<td width='{w}%' style='{_LABEL_CELL} font-size: 9.5pt;'>{escape(c)}</td>"
                    for c, w in zip(table.columns, widths, strict=True))
    header = f"{_TABLE}<tr><td width='6%' style='{_LABEL_CELL} font-size: 9.5pt;' align='center'>序号</td>" \
             f"{cells}</tr></table>"
    blocks.append(Block(header, keep_with_next=True))

    def row(number: int, values: list) -> str:
        tds = []
        for value, width, fit in zip(values, widths, chars, strict=True):
            if isinstance(value, list):
                shown = f"<span style='font-size: 9pt;'>{_boxes(value, fit, flow=True)}</span>" if value else "&nbsp;"
            else:
                shown = escape(value) if value else "&nbsp;"
            tds.append(f"<td width='{width}%' style='{_CELL}'>{shown}</td>")
        return (f"{_TABLE}<tr><td width='6%' style='{_CELL}' align='center'>{number}</td>{''.join(tds)}</tr>"
                "</table>")

    for number, values in enumerate(table.rows, 1):
        blocks.append(Block(row(number, values), header=header))
    for number in range(len(table.rows) + 1, len(table.rows) + table.blank_rows + 1):
        blocks.append(Block(row(number, choices), header=header))


def _signatures_html(signatures) -> str:
    pad = "padding: 16px 0px 2px 0px;"
    rows = []
    for who in signatures:
        rows.append(f"<tr><td width='17%' style='{pad}'>{escape(who)}（签字）：</td>"
                    f"<td width='33%' style='{_LINE} {pad}'>&nbsp;</td>"
                    f"<td width='10%' align='right' style='{pad}'>日期：</td>"
                    f"<td width='12%' style='{_LINE} {pad}'>&nbsp;</td><td width='4%' style='{pad}'>年</td>"
                    f"<td width='9%' style='{_LINE} {pad}'>&nbsp;</td><td width='4%' style='{pad}'>月</td>"
                    f"<td width='9%' style='{_LINE} {pad}'>&nbsp;</td><td width='2%' style='{pad}'>日</td></tr>")
    return "<table width='100%' cellspacing='0' cellpadding='0'>" + "".join(rows) + "</table>"
