"""The form definition: an XForm (as pyxform writes it, or any other tool) read into Python.

A ``FormDef`` holds the instance template, the binds with their compiled
expressions, the body's controls (questions, groups, repeats) with labels in
every language, choices, secondary instances and actions. It is immutable once
loaded; ``FormSession`` (session.py) holds one record being filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from app.errors import CunFangError, ErrorCode, FormCheckFailed, FormError
from app.forms.xpath import parser as xp
from app.forms.xpath.compiler import compile_expr
from app.forms.xpath.deps import dependencies
from app.forms.xpath.nodes import Node, document, from_xml

NS = {
    "xf": "http://www.w3.org/2002/xforms",
    "h": "http://www.w3.org/1999/xhtml",
    "jr": "http://openrosa.org/javarosa",
    "odk": "http://www.opendatakit.org/xforms",
    "orx": "http://openrosa.org/xforms",
}
_JR = "{" + NS["jr"] + "}"
_ODK = "{" + NS["odk"] + "}"
_ITEXT_REF = re.compile(r"""jr:itext\(\s*['"](.*)['"]\s*\)""")
DEFAULT_LANG = "default"
# Files the app ships for every form to read, wherever the form came from (county_settings.xml)
SHIPPED_MEDIA = Path(__file__).resolve().parents[2] / "resources" / "forms"


class Expr:
    """A compiled expression with the paths it reads."""

    __slots__ = ("text", "fn", "deps", "column", "tree")

    def __init__(self, text: str, context: str, column: str):
        self.text = text
        self.column = column
        self.tree = tree = xp.parse(text)
        self.fn = compile_expr(tree)
        self.deps = dependencies(tree, context)

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    # A form kept in the form cache (cache.py) keeps the parse tree; the closure is compiled again on reading.
    def __getstate__(self):
        return self.text, self.column, self.tree, self.deps

    def __setstate__(self, state) -> None:
        self.text, self.column, self.tree, self.deps = state
        self.fn = compile_expr(self.tree)


@dataclass
class Bind:
    path: str
    type: str = "string"
    relevant: Expr | None = None
    required: Expr | None = None
    constraint: Expr | None = None
    calculate: Expr | None = None
    readonly: Expr | None = None
    constraint_msg: dict[str, Text] = field(default_factory=dict)
    required_msg: dict[str, Text] = field(default_factory=dict)
    preload: str | None = None
    preload_params: str | None = None


@dataclass
class Choice:
    value: str
    labels: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str | None) -> str:
        return pick(self.labels, lang) or self.value


@dataclass
class Itemset:
    """Choices read from an instance, possibly filtered (XLSForm choice_filter)."""

    nodeset: str
    fn: object  # compiled nodeset expression
    deps: set[str]
    value_ref: str
    label_ref: str
    list_name: str | None
    expr: Expr | None = None  # the nodeset expression ``fn`` is compiled from (kept by the form cache)

    def __getstate__(self):
        return {**self.__dict__, "fn": None}

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        if self.expr is not None:
            self.fn = self.expr.fn


@dataclass
class Text:
    """A label or hint: literal parts and ``<output value="..."/>`` expressions."""

    parts: list  # str | Expr

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else "…" for p in self.parts)

    @property
    def markup(self) -> str:
        """Back to itext markup, outputs included (for labels rendered later, like choices)."""
        from xml.sax.saxutils import escape, quoteattr

        return "".join(escape(p) if isinstance(p, str) else f"<output value={quoteattr(p.text)}/>" for p in self.parts)


@dataclass
class Control:
    kind: str  # input select1 select upload trigger range rank group repeat
    ref: str  # generic absolute path
    qtype: str  # XLSForm-style type: text integer select_one group repeat ...
    labels: dict[str, Text] = field(default_factory=dict)
    hints: dict[str, Text] = field(default_factory=dict)
    appearance: str = ""
    choices: list[Choice] | None = None
    itemset: Itemset | None = None
    children: list[Control] = field(default_factory=list)
    repeat_count: Expr | None = None
    params: dict[str, str] = field(default_factory=dict)
    triggers: list[SetValue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.ref.rsplit("/", 1)[-1]

    @property
    def field_list(self) -> bool:
        return "field-list" in self.appearance.split()

    def label(self, lang: str | None) -> Text | None:
        return pick(self.labels, lang)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class SetValue:
    events: tuple[str, ...]  # odk-instance-first-load, odk-new-repeat, xforms-value-changed
    ref: str
    value: Expr | None
    trigger: str | None = None  # generic path whose change fires it


@dataclass
class FormDef:
    form_id: str
    version: str
    title: str
    languages: list[str]
    default_lang: str | None
    template: Node  # document node of the primary instance, repeat templates removed
    repeat_templates: dict[str, Node]
    repeat_paths: set[str]
    instances: dict[str, Node]
    binds: dict[str, Bind]
    controls: list[Control]
    setvalues: list[SetValue]
    itext: dict[str, dict[str, str]]
    instance_name: Expr | None = None
    rows: dict[str, int] = field(default_factory=dict)  # question name → XLSForm survey row
    source: str | None = None
    notices: list[str] = field(default_factory=list)  # what the form author should know (Chinese), not errors
    calculate_labels: dict[str, str] = field(default_factory=dict)  # XLSForm labels of calculated values
    media: list[str] = field(default_factory=list)  # files beside the form read into instances (CSV, XML)
    shipped_media: list[str] = field(default_factory=list)  # of those, the ones the app ships (SHIPPED_MEDIA)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_graph"}  # the graph is rebuilt on reading

    @property
    def root_name(self) -> str:
        return self.template.children[0].name

    def walk(self):
        for c in self.controls:
            yield from c.walk()

    def control(self, path: str) -> Control | None:
        for c in self.walk():
            if c.ref == path:
                return c
        return None

    def choice_list(self, control: Control) -> list[Choice]:
        """Every choice of a select, whatever its choice filter would show (for exports and imports)."""
        if control.itemset is None:
            return control.choices or []
        document_node = self.instances.get(control.itemset.list_name or "")
        if document_node is None or not document_node.children:
            return []  # choices from the record itself (a repeat), not a list: nothing fixed to explain
        return [itemset_choice(item, control.itemset, self.itext) for item in document_node.children[0].children]

    def by_name(self) -> dict[str, str]:
        """Question name → generic path, for every node in the instance (first one wins)."""
        names: dict[str, str] = {}

        def visit(node: Node, path: str) -> None:
            for child in node.children:
                child_path = f"{path}/{child.name}"
                names.setdefault(child.name, child_path)
                visit(child, child_path)

        root = self.template.children[0]
        visit(root, "/" + root.name)
        for path, tmpl in self.repeat_templates.items():
            names.setdefault(tmpl.name, path)
            visit(tmpl, path)
        return names


def itemset_value(item: Node, itemset: Itemset) -> str:
    """The value an item of an itemset's instance stands for (what a Choice made of it holds as ``value``)."""
    value_node = item.child(itemset.value_ref)
    return value_node.value if value_node is not None else ""


def itemset_choice(item: Node, itemset: Itemset, itext: dict[str, dict[str, str]]) -> Choice:
    """One item of an itemset's instance as a Choice: its value and its label in every language."""
    value = itemset_value(item, itemset)
    labels: dict[str, str] = {}
    label_ref = itemset.label_ref
    if label_ref.startswith("jr:itext("):
        key_node = item.child(label_ref[len("jr:itext(") : -1].strip())
        key = key_node.value if key_node is not None else ""
        for lang, texts in itext.items():
            if key in texts:
                labels[lang] = texts[key]
    else:
        for child in item.children:
            if child.name == label_ref or child.name.startswith(label_ref + "_"):
                labels[DEFAULT_LANG] = child.value
        if not labels:
            label_node = item.child(label_ref) or item.child("label")
            if label_node is not None:
                labels[DEFAULT_LANG] = label_node.value
            for child in item.children:
                if child.name.startswith("label::"):
                    labels[child.name.split("::", 1)[1]] = child.value
    return Choice(value, labels, {c.name: c.value for c in item.children})


_MARKUP_CACHE: dict[str, Text] = {}


def markup_text(markup: str) -> Text:
    """An itext value (which may hold ``<output value="..."/>``) as literal parts and expressions."""
    cached = _MARKUP_CACHE.get(markup)
    if cached is not None:
        return cached
    parts: list = []
    try:
        element = etree.fromstring(f"<v xmlns='{NS['xf']}'>{markup}</v>")
    except etree.XMLSyntaxError:
        parts = [markup]
    else:
        parts.append(element.text or "")
        for child in element:
            if etree.QName(child).localname == "output":
                expr = (child.get("value") or child.get("ref") or "").strip()
                parts.append(Expr(expr, None, "label") if expr else "")
            parts.append(child.tail or "")
    text = Text([p for p in parts if p != ""])
    _MARKUP_CACHE[markup] = text
    return text


def pick(by_lang: dict, lang: str | None):
    """The text in ``lang``, else the default language, else any."""
    if not by_lang:
        return None
    if lang in by_lang:
        return by_lang[lang]
    if DEFAULT_LANG in by_lang:
        return by_lang[DEFAULT_LANG]
    return next(iter(by_lang.values()))


# --------------------------------------------------------------------------- reading an XForm


def read_xform(xml: str | bytes, *, media_dir: Path | None = None, rows: dict[str, int] | None = None,
               source: str | None = None) -> FormDef:
    """Build a FormDef from XForm XML. ``media_dir`` holds CSV/XML files of external instances."""
    try:
        root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    except etree.XMLSyntaxError as exc:
        raise CunFangError(ErrorCode.FORM_UNREADABLE, path=source or "XForm", reason=f"XML 格式错误：{exc}") from exc
    _adopt_xforms_namespace(root)
    form = _XFormReader(root, media_dir, rows or {}, source).read()
    from app.forms.xform_checks import check_xform, missing_media

    problems = check_xform(root, form)
    if problems:
        raise FormCheckFailed(problems)
    form.notices += missing_media(root, media_dir)
    return form


def _adopt_xforms_namespace(root) -> None:
    """XForms written without the XForms namespace (``<model>`` under ``<h:head>``): JavaRosa reads
    elements without a namespace as XForms ones, so do we."""
    head = root.find("h:head", NS)
    if head is None or head.find("xf:model", NS) is not None or head.find("model") is None:
        return
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace is None:
            element.tag = f"{{{NS['xf']}}}{element.tag}"


class _XFormReader:
    def __init__(self, root, media_dir: Path | None, rows: dict[str, int], source: str | None):
        self.root, self.media_dir, self.rows, self.source = root, media_dir, rows, source
        self.model = root.find("h:head/xf:model", NS)
        if self.model is None:
            raise CunFangError(ErrorCode.FORM_UNREADABLE, path=source or "XForm", reason="缺少 <model>")
        self.itext: dict[str, dict[str, str]] = {}
        self.languages: list[str] = []
        self.default_lang: str | None = None
        self.setvalues: list[SetValue] = []
        self.notices: list[str] = []
        self.media: list[str] = []
        self.shipped_media: list[str] = []
        first = self.model.find("xf:instance", NS)
        top = next((c for c in first if isinstance(c.tag, str)), None) if first is not None else None
        self.root_path = "/" + etree.QName(top).localname if top is not None else ""
        self.bind_elements = {
            self._abs(b.get("nodeset", "").strip()): b for b in self.model.findall("xf:bind", NS)
        }
        self.bind_ids = {b.get("id"): path for path, b in self.bind_elements.items() if b.get("id")}

    def read(self) -> FormDef:
        self._read_itext()
        primary, instances = self._read_instances()
        data = primary.children[0]
        templates: dict[str, Node] = {}
        self._pull_templates(data, templates)
        binds = {b.path: b for b in (self._read_bind(e) for e in self.model.findall("xf:bind", NS))}
        for node in primary.iter():
            node.bind = binds.get(node.generic_path())
        for tmpl in templates.values():
            for node in tmpl.iter():
                node.bind = binds.get(self._tmpl_path(tmpl, node))
        for action in self.model.findall("xf:setvalue", NS) + self.model.findall("odk:setgeopoint", NS):
            self.setvalues.append(self._read_setvalue(action, None))
        body = self.root.find("h:body", NS)
        controls = self._read_controls(body) if body is not None else []
        title_el = self.root.find("h:head/h:title", NS)
        repeat_paths = {c.ref for c in _walk_all(controls) if c.kind == "repeat"} | set(templates)
        form = FormDef(
            form_id=data.attrs.get("id", data.name),
            version=data.attrs.get("version", ""),
            title=(title_el.text or "") if title_el is not None else "",
            languages=self.languages,
            default_lang=self.default_lang,
            template=primary,
            repeat_templates=templates,
            repeat_paths=repeat_paths,
            instances=instances,
            binds=binds,
            controls=controls,
            setvalues=self.setvalues,
            itext=self.itext,
            rows=self.rows,
            source=self.source,
            notices=self.notices,
            media=self.media,
            shipped_media=self.shipped_media,
        )
        meta_name = self.model.find("xf:instance/*/orx:meta/orx:instanceName", NS)
        if meta_name is None:
            meta_name = self.model.find("xf:instance/*/xf:meta/xf:instanceName", NS)
        if meta_name is not None:
            bind = binds.get(f"/{data.name}/meta/instanceName")
            form.instance_name = bind.calculate if bind else None
        return form

    # -- itext
    def _read_itext(self) -> None:
        for tr in self.model.findall("xf:itext/xf:translation", NS):
            lang = tr.get("lang", DEFAULT_LANG)
            self.languages.append(lang)
            if tr.get("default") is not None:
                self.default_lang = lang
            texts = self.itext.setdefault(lang, {})
            for text in tr.findall("xf:text", NS):
                values = text.findall("xf:value", NS)
                plain = [v for v in values if v.get("form") is None] or values
                if plain:
                    texts[text.get("id")] = _inner_markup(plain[0])
        if self.languages and self.default_lang is None:
            self.default_lang = self.languages[0]

    def _text(self, element) -> dict[str, Text]:
        """Labels/hints by language, from a jr:itext reference or inline text with outputs."""
        if element is None:
            return {}
        ref = element.get("ref")
        m = _ITEXT_REF.match(ref or "")
        if m:
            out = {}
            for lang, texts in self.itext.items():
                if m.group(1) in texts:
                    out[lang] = self._parse_text(texts[m.group(1)])
            return out
        return {DEFAULT_LANG: self._text_parts(element)}

    def _parse_text(self, markup: str) -> Text:
        try:
            el = etree.fromstring(f"<v xmlns='{NS['xf']}'>{markup}</v>")
        except etree.XMLSyntaxError:
            return Text([markup])
        return self._text_parts(el)

    def _text_parts(self, element) -> Text:
        parts: list = [element.text or ""]
        for child in element:
            if etree.QName(child).localname == "output":
                expr = child.get("value") or child.get("ref") or ""
                parts.append(self._expr(expr.strip(), None, "label"))
            parts.append(child.tail or "")
        return Text([p for p in parts if p != ""])

    # -- instances
    def _read_instances(self) -> tuple[Node, dict[str, Node]]:
        primary = None
        instances: dict[str, Node] = {}
        for inst in self.model.findall("xf:instance", NS):
            iid = inst.get("id")
            kids = [c for c in inst if isinstance(c.tag, str)]
            if primary is None:  # the first instance is the primary one, with or without an id (XForms spec)
                if not kids:
                    raise CunFangError(ErrorCode.FORM_UNREADABLE, path=self.source or "XForm", reason="主实例是空的")
                primary = document(from_xml(kids[0]))
            elif iid is not None:
                if kids:
                    instances[iid] = document(from_xml(kids[0]))
                else:
                    instances[iid] = self._external_instance(iid, inst.get("src") or "")
        if primary is None:
            raise CunFangError(ErrorCode.FORM_UNREADABLE, path=self.source or "XForm", reason="缺少主实例 <instance>")
        return primary, instances

    def _external_instance(self, iid: str, src: str) -> Node:
        """A CSV, GeoJSON or XML file beside the form (select_one_from_file, pulldata).

        ``jr://instance/last-saved`` is built in: the last record saved with this form, empty for a new one (as
        JavaRosa does with no earlier record). A file that is missing reads as empty, as in JavaRosa, with a
        notice for ``forms check`` naming the file."""
        from app.forms.media import read_external_instance

        if src.strip() == "jr://instance/last-saved":
            return document(Node("data"))
        name = src.rsplit("/", 1)[-1]
        self.media.append(name)
        path = (self.media_dir / name) if self.media_dir else None
        if (path is None or not path.exists()) and (SHIPPED_MEDIA / name).is_file():
            path = SHIPPED_MEDIA / name  # a file the app ships for every form (county_settings.xml)
        if path is not None and path.exists() and path.resolve() == (SHIPPED_MEDIA / name).resolve():
            self.shipped_media.append(name)  # the app's own file (a built-in form's neighbour, or the fallback)
        if path is None or not path.exists():
            self.notices.append(ErrorCode.FORM_MEDIA_MISSING.value.format(name=name, id=iid))
            return document(Node("root"))
        try:
            return document(read_external_instance(path))
        except CunFangError as exc:
            raise FormError(exc.code, **exc.context) from exc

    def _pull_templates(self, node: Node, templates: dict[str, Node], path: str | None = None) -> None:
        """Take ``jr:template`` repeat nodes out of the live instance (and out of other templates,
        for nested repeats), keeping them as templates by generic path."""
        path = path if path is not None else node.generic_path()
        for child in list(node.children):
            child_path = f"{path}/{child.name}"
            if "template" in child.attrs:
                tmpl = child.clone(None)
                tmpl.attrs.pop("template", None)
                tmpl.attrs["_path"] = child_path
                node.children.remove(child)
                templates[child_path] = tmpl
                self._pull_templates(tmpl, templates, child_path)
            else:
                self._pull_templates(child, templates, child_path)

    def _template_value(self, path: str) -> str:
        element = self.model.find("xf:instance", NS)
        if element is None:
            return ""
        node = next((c for c in element if isinstance(c.tag, str)), None)
        for part in path.strip("/").split("/")[1:]:
            if node is None:
                return ""
            node = next((c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == part), None)
        return (node.text or "").strip() if node is not None and len(node) == 0 else ""

    @staticmethod
    def _tmpl_path(tmpl: Node, node: Node) -> str:
        base = tmpl.attrs["_path"]
        rel = []
        while node is not tmpl:
            rel.append(node.name)
            node = node.parent
        return base + "".join("/" + r for r in reversed(rel))

    # -- binds
    def _expr(self, text: str | None, context: str | None, column: str) -> Expr | None:
        if text is None or not text.strip():
            return None
        try:
            return Expr(text, context, column)
        except FormError:
            raise
        except CunFangError as exc:
            path = context or ""
            raise FormError(
                exc.code,
                sheet="survey" if self.rows else None,
                row=self.rows.get(path.rsplit("/", 1)[-1]),
                column=column,
                question=path.rsplit("/", 1)[-1] or None,
                **exc.context,
            ) from exc

    def _read_bind(self, el) -> Bind:
        path = el.get("nodeset", "").strip()
        path = self._abs(path)
        dtype = (el.get("type") or "string").split(":")[-1]
        bind = Bind(path=path, type=dtype)
        bind.relevant = self._expr(el.get("relevant"), path, "relevant")
        bind.required = self._expr(el.get("required"), path, "required")
        bind.constraint = self._expr(el.get("constraint"), path, "constraint")
        bind.calculate = self._expr(el.get("calculate"), path, "calculation")
        bind.readonly = self._expr(el.get("readonly"), path, "read_only")
        bind.constraint_msg = self._message(el.get(_JR + "constraintMsg"))
        bind.required_msg = self._message(el.get(_JR + "requiredMsg"))
        bind.preload = el.get(_JR + "preload")
        bind.preload_params = el.get(_JR + "preloadParams")
        return bind

    def _message(self, value: str | None) -> dict[str, Text]:
        """A constraint/required message per language; ``${}`` in it becomes an output to fill in."""
        if not value:
            return {}
        m = _ITEXT_REF.match(value)
        if m:
            return {lang: self._parse_text(texts[m.group(1)]) for lang, texts in self.itext.items()
                    if m.group(1) in texts}
        return {DEFAULT_LANG: Text([value])}

    def _abs(self, path: str, base: str | None = None) -> str:
        """An absolute generic path: ``path`` resolved against ``base`` (default the primary instance's root,
        as JavaRosa resolves a bind's nodeset), namespace prefixes dropped as the instance's names are."""
        return resolve_ref(path, self.root_path if base is None else base)

    def _control_ref(self, el, base: str, attr: str = "ref") -> str:
        """Where a body element points: its ``bind`` id's nodeset, or its ref/nodeset relative to ``base``."""
        bind_id = el.get("bind")
        if bind_id is not None and el.get(attr) is None and bind_id in self.bind_ids:
            return self.bind_ids[bind_id]
        return self._abs((el.get(attr) or bind_id or "").strip(), base)

    # -- body
    def _read_controls(self, parent, base: str | None = None) -> list[Control]:
        """The controls in ``parent``; relative refs resolve against ``base`` (the enclosing group's or
        repeat's node, else the primary instance's root), as in JavaRosa."""
        base = self.root_path if base is None else base
        controls = []
        for el in parent:
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            if tag in ("setvalue", "setgeopoint"):
                self.setvalues.append(self._read_setvalue(el, None, base))
                continue
            if tag in ("label", "hint", "item", "itemset"):
                continue
            if tag == "group":
                controls.append(self._read_group(el, base))
            elif tag == "repeat":
                controls.append(self._read_repeat(el, None, base))
            elif tag in ("input", "select1", "select", "upload", "trigger", "range", "rank", "textarea", "secret"):
                controls.append(self._read_question(el, tag, base))
        return controls

    def _read_group(self, el, base: str):
        ref = self._control_ref(el, base) if el.get("ref") or el.get("bind") else None
        repeat_el = el.find("xf:repeat", NS)
        labels = self._text(el.find("xf:label", NS))
        repeat_ref = self._control_ref(repeat_el, ref or base, "nodeset") if repeat_el is not None else None
        if repeat_el is not None and (ref is None or ref == repeat_ref):
            control = self._read_repeat(repeat_el, labels, ref or base)
            control.appearance = control.appearance or (el.get("appearance") or "")
            return control
        path = ref or ""
        control = Control(kind="group", ref=path, qtype="group", labels=labels, appearance=el.get("appearance") or "")
        control.hints = self._text(el.find("xf:hint", NS))
        control.children = self._read_controls(el, ref or base)
        return control

    def _read_repeat(self, el, labels, base: str):
        if not el.get("nodeset") and el.get("bind") not in self.bind_ids:
            raise CunFangError(ErrorCode.FORM_INVALID, reason="<repeat> 缺少 nodeset 属性")
        path = self._control_ref(el, base, "nodeset")
        control = Control(kind="repeat", ref=path, qtype="repeat", labels=labels or self._text(el.find("xf:label", NS)),
                          appearance=el.get("appearance") or "")
        count = el.get(_JR + "count")
        control.repeat_count = self._expr(count, path, "repeat_count")  # relative to the repeat, as in XForms
        if el.get(_JR + "noAddRemove") in ("true()", "true"):
            control.params["noAddRemove"] = "true"
        control.children = self._read_controls(el, path)
        return control

    def _read_question(self, el, tag: str, base: str) -> Control:
        path = self._control_ref(el, base)
        bind = self.bind_elements.get(path)
        dtype = ((bind.get("type") if bind is not None else None) or "string").split(":")[-1]
        appearance = el.get("appearance") or ""
        control = Control(kind=tag, ref=path, qtype="", appearance=appearance)
        control.labels = self._text(el.find("xf:label", NS))
        control.hints = self._text(el.find("xf:hint", NS))
        for key in ("start", "end", "step", "mediatype", "rows"):
            if el.get(key) is not None:
                control.params[key] = el.get(key)
        control.qtype = _question_type(tag, dtype, control.params.get("mediatype", ""), bind,
                                       has_default=bool(self._template_value(path)))
        if tag in ("select1", "select", "rank"):
            self._read_choices(el, control, path)
        for action in el.findall("xf:setvalue", NS) + el.findall("odk:setgeopoint", NS):
            sv = self._read_setvalue(action, path, base)
            if "xforms-value-changed" in sv.events:
                control.triggers.append(sv)
            self.setvalues.append(sv)
        return control

    def _read_choices(self, el, control: Control, path: str) -> None:
        itemset = el.find("xf:itemset", NS)
        if itemset is None:
            control.choices = []
            for item in el.findall("xf:item", NS):
                value_el = item.find("xf:value", NS)
                labels = {k: v.markup for k, v in self._text(item.find("xf:label", NS)).items()}
                control.choices.append(Choice((value_el.text or "").strip() if value_el is not None else "", labels))
            return
        nodeset = itemset.get("nodeset")
        value_ref = itemset.find("xf:value", NS).get("ref")
        label_ref = itemset.find("xf:label", NS).get("ref")
        m = re.match(r"""\s*instance\(\s*['"]([^'"]+)['"]\s*\)""", nodeset)
        list_name = m.group(1) if m else None
        expr = self._expr(nodeset, path, "choice_filter")
        control.itemset = Itemset(nodeset, expr.fn, expr.deps, value_ref, label_ref, list_name, expr)

    def _read_setvalue(self, el, trigger: str | None, base: str | None = None) -> SetValue:
        ref = el.get("ref")
        if ref is None and el.get("bind") in self.bind_ids:
            ref = self.bind_ids[el.get("bind")]
        ref = (ref or "").strip()
        if not ref.startswith("/") and ref.split("/", 1)[0].split(":")[-1] == self.root_path[1:]:
            ref = "/" + ref  # JavaRosa resolves an action's ref against the document: "data/x" is /data/x
        ref = self._abs(ref, base)
        value = el.get("value")
        if value is None and (el.text or "").strip():
            value = f"'{el.text.strip()}'"
        if etree.QName(el).localname == "setgeopoint":
            value = None
        events = tuple((el.get("event") or "").split()) or ("xforms-value-changed",)
        return SetValue(events=events, ref=ref, value=self._expr(value, ref, "trigger" if trigger else "default"),
                        trigger=trigger)


def resolve_ref(ref: str, base: str) -> str:
    """A reference (``age``, ``../age``, ``./age``, ``current()/age``, ``/data/orx:meta``) as an absolute
    generic path, resolved against the absolute path ``base``; prefixes dropped."""
    ref = ref.strip()
    if ref.startswith("current()"):
        ref = ref[len("current()"):].lstrip("/")
    parts = [] if ref.startswith("/") else [p for p in base.split("/") if p]
    for step in ref.split("/"):
        step = step.strip()
        if step in ("", "."):
            continue
        if step == "..":
            if parts:
                parts.pop()
            continue
        parts.append(step.split(":")[-1])
    return "/" + "/".join(parts)


def _walk_all(controls):
    for c in controls:
        yield from c.walk()


def _inner_markup(el) -> str:
    text = el.text or ""
    for child in el:
        text += etree.tostring(child, encoding="unicode", with_tail=True).replace(
            f' xmlns="{NS["xf"]}"', ""
        )
    return text


def _question_type(tag: str, dtype: str, mediatype: str, bind, *, has_default: bool = False) -> str:
    if tag == "select1":
        return "select_one"
    if tag == "select":
        return "select_multiple"
    if tag == "rank":
        return "rank"
    if tag == "range":
        return "range"
    if tag == "trigger":
        return "acknowledge"
    if tag == "upload":
        kind = mediatype.split("/")[0]
        return {"image": "image", "audio": "audio", "video": "video"}.get(kind, "file")
    if (bind is not None and bind.get("readonly") == "true()" and dtype == "string" and not bind.get("calculate")
            and not has_default):
        return "note"
    return {
        "int": "integer",
        "integer": "integer",
        "decimal": "decimal",
        "date": "date",
        "time": "time",
        "dateTime": "datetime",
        "geopoint": "geopoint",
        "geotrace": "geotrace",
        "geoshape": "geoshape",
        "barcode": "barcode",
        "binary": "file",
    }.get(dtype, "text")
