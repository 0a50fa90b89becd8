"""A form's columns for a spreadsheet: one table for the record and one per repeat, from the FormDef.

Questions appear in form order with their labels (groups flattened, as in the stored
data); calculated values the form computes follow. A form whose author labelled some of its
calculations (XLSForm allows a label on a calculate row: the built-in forms do) gets those, under
their labels, and not the helper values left unlabelled (sex_text, interval_days …); a form with no
labelled calculation gets them all, named by their question name, as ODK Central exports them.
Notes have no answer and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.forms.model import FormDef, markup_text, pick
from app.spreadsheets.cells import converter, identity_kind

TYPE_LABELS = {
    "text": "文本", "integer": "整数", "decimal": "小数", "date": "日期", "datetime": "日期时间", "time": "时间",
    "select_one": "单选", "select_multiple": "多选（选项之间用“、”分隔）", "rank": "排序", "range": "数值",
    "geopoint": "位置（纬度 经度 海拔 精度）", "geotrace": "线路", "geoshape": "范围", "image": "照片（文件名）",
    "audio": "录音（文件名）", "video": "视频（文件名）", "file": "文件（文件名）", "barcode": "条码",
    "acknowledge": "确认", "calculate": "计算值（表单自动算出）",
}
_BIND_TYPES = {"int": "integer", "integer": "integer", "decimal": "decimal", "date": "date", "dateTime": "datetime",
               "time": "time"}


@dataclass
class Field:
    name: str
    header: str
    qtype: str
    identity: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    calculated: bool = False
    group: str = ""  # the label of the group it is in, to tell two questions with one label apart

    def convert(self, *, codes: bool, full_ids: bool):
        return converter(self.qtype, identity=self.identity, choices=dict(self.choices), codes=codes,
                         full_ids=full_ids)

    def type_label(self) -> str:
        if self.calculated:
            base = TYPE_LABELS["calculate"]
            return base if self.qtype == "text" else f"{base}，{TYPE_LABELS.get(self.qtype, self.qtype)}"
        return TYPE_LABELS.get(self.qtype, self.qtype)


@dataclass
class Table:
    """The record (path = the form's root) or one repeat, with the repeats nested in it."""

    name: str
    label: str
    path: str
    fields: list[Field] = field(default_factory=list)
    repeats: list[Table] = field(default_factory=list)

    def walk(self):
        yield self
        for repeat in self.repeats:
            yield from repeat.walk()

    def merge(self, other: Table) -> None:
        """Add the questions of another version of the form that this one lacks (kept at the end)."""
        names = {f.name for f in self.fields}
        for f in other.fields:
            if f.name not in names:
                self.fields.append(f)
        mine = {r.name: r for r in self.repeats}
        for repeat in other.repeats:
            if repeat.name in mine:
                mine[repeat.name].merge(repeat)
            else:
                self.repeats.append(repeat)


def _text(labels: dict, lang: str | None) -> str:
    text = pick(labels, lang)
    if text is None:
        return ""
    return (text.plain if hasattr(text, "plain") else markup_text(text).plain).strip()


def form_table(form: FormDef) -> Table:
    lang = form.default_lang
    root = Table(form.form_id, form.title or form.form_id, "/" + form.root_name)
    by_path: dict[str, Table] = {root.path: root}
    seen_controls: set[str] = set()

    def visit(controls, table: Table, group_label: str) -> None:
        for control in controls:
            seen_controls.add(control.ref)
            label = _text(control.labels, lang)
            if control.kind == "group":
                visit(control.children, table, label or group_label)
            elif control.kind == "repeat":
                repeat = Table(control.name, label or control.name, control.ref)
                table.repeats.append(repeat)
                by_path[control.ref] = repeat
                visit(control.children, repeat, "")
            elif control.qtype != "note":
                choices = [(c.value, _text(c.labels, lang) or c.value) for c in form.choice_list(control)] \
                    if control.qtype in ("select_one", "select_multiple", "rank") else []
                table.fields.append(Field(control.name, label or control.name, control.qtype,
                                          identity_kind(control.name, label, control.qtype), choices,
                                          group=group_label))

    visit(form.controls, root, "")
    meta = f"{root.path}/meta"
    labelled = getattr(form, "calculate_labels", None) or {}
    for path, bind in form.binds.items():
        name = path.rsplit("/", 1)[-1]
        if (not bind.calculate or path in seen_controls or path.startswith(meta + "/") or name == "instanceName"
                or bind.preload or (labelled and name not in labelled)):
            continue
        owner = max((t for p, t in by_path.items() if path.startswith(p + "/")), key=lambda t: len(t.path),
                    default=root)
        qtype = _BIND_TYPES.get(bind.type, "text")
        header = labelled.get(name, name)
        owner.fields.append(Field(name, header, qtype, identity_kind(name, header if labelled else "", qtype),
                                  calculated=True))
    for table in root.walk():
        _unique_headers(table)
    return root


def _unique_headers(table: Table) -> None:
    """Every header says which column it is: a calculated value sharing a question's label is marked 自动算出, two
    questions with one label get their group's label, and only then their question name."""
    def clashes() -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in table.fields:
            counts[f.header] = counts.get(f.header, 0) + 1
        return counts

    counts = clashes()
    for f in table.fields:
        if counts[f.header] > 1 and f.calculated and f.header != f.name:
            f.header = f"{f.header}（自动算出）"
    counts = clashes()
    for f in table.fields:
        if counts[f.header] > 1 and f.group and f.group not in f.header:
            f.header = f"{f.header}（{f.group}）"
    counts = clashes()
    for f in table.fields:
        if counts[f.header] > 1 and f.header != f.name:
            f.header = f"{f.header}（{f.name}）"


def forms_table(forms: list[FormDef]) -> Table:
    """The columns for records filled with any of ``forms`` (versions of one form, newest first)."""
    table = form_table(forms[0])
    for older in forms[1:]:
        table.merge(form_table(older))
    return table
