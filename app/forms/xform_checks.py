"""What JavaRosa refuses in an XForm and a reader could let through: each a form error in Chinese.

The reader (model.py) builds what it can; these checks look at the XML and the built form for mistakes ODK
Collect would refuse to open, so a broken form is caught on the laptop and never reaches the villages: a bind
without nodeset, a translation without a language, a choice without a value, a select without choices, actions
on unsupported events (or ``odk-new-repeat`` in the model, or ``setgeopoint`` outside the ODK namespace), a
range whose start/end/step is not a number, a control or action bound to a node the instance lacks, a relevant
that reads its own question, and a group with nothing in it.
"""

from __future__ import annotations

import re

from lxml import etree

from app.errors import ErrorCode, FormError

XF = "http://www.w3.org/2002/xforms"
ODK = "http://www.opendatakit.org/xforms"
NS = {"xf": XF, "h": "http://www.w3.org/1999/xhtml"}
# JavaRosa's XFormParser.getValidEventNames
EVENTS = {"xforms-ready", "xforms-revalidate", "odk-instance-first-load", "odk-instance-load", "odk-new-repeat",
          "xforms-value-changed", "jr-insert"}
CONTROLS = {"input", "select1", "select", "upload", "trigger", "range", "rank", "textarea", "secret", "odk:rank"}
_SIMPLE_PATH = re.compile(r"^(/[\w.\-]+)+$")


def check_xform(root, form) -> list[FormError]:
    """Every mistake of these kinds in the XForm ``root`` (lxml) read into ``form`` (FormDef)."""
    model = root.find("h:head/xf:model", NS)
    body = root.find("h:body", NS)
    errors: list[FormError] = []
    rows = form.rows

    def at(path: str | None, column: str | None = None, **context) -> dict:
        name = path.rsplit("/", 1)[-1] if path else None
        return {"sheet": "survey" if rows and name in rows else None, "row": rows.get(name) if name else None,
                "column": column, "question": name or None, **context}

    for bind in model.findall("xf:bind", NS):
        if not (bind.get("nodeset") or "").strip():
            errors.append(FormError(ErrorCode.FORM_BIND_NO_NODESET, **at(None, attrs=_attrs(bind))))
    for translation in model.findall("xf:itext/xf:translation", NS):
        if not (translation.get("lang") or "").strip():
            errors.append(FormError(ErrorCode.FORM_TRANSLATION_NO_LANG))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        if element.get("event") is not None:
            bad = [e for e in element.get("event").split() if e not in EVENTS]
            target = element.get("ref")
            if bad:
                errors.append(FormError(ErrorCode.FORM_EVENT_UNSUPPORTED, **at(target, events="、".join(bad))))
            if element.get("event").split() == ["odk-new-repeat"] and element.getparent() is model:
                errors.append(FormError(ErrorCode.FORM_NEW_REPEAT_IN_MODEL, **at(target)))
        if qname.localname == "setgeopoint" and qname.namespace != ODK:
            errors.append(FormError(ErrorCode.FORM_SETGEOPOINT_NAMESPACE, **at(element.get("ref"))))
    paths = _instance_paths(model)
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname in ("setvalue", "setgeopoint"):
            ref = (element.get("ref") or "").strip()
            if _SIMPLE_PATH.match(ref) and _generic(ref) not in paths:
                errors.append(FormError(ErrorCode.FORM_ACTION_TARGET_MISSING, **at(ref, ref=ref)))
    for element in body.iter() if body is not None else ():
        if not isinstance(element.tag, str) or etree.QName(element).namespace not in (XF, ODK):
            continue
        tag = etree.QName(element).localname
        ref = (element.get("ref") or "").strip()
        if tag in CONTROLS and _SIMPLE_PATH.match(ref) and _generic(ref) not in paths:
            errors.append(FormError(ErrorCode.FORM_REF_MISSING, **at(ref, ref=ref)))
        if tag in ("select1", "select") and element.find("xf:itemset", NS) is None:
            items = element.findall("xf:item", NS)
            if not items:
                errors.append(FormError(ErrorCode.FORM_SELECT_NO_CHOICES, **at(ref or None)))
            for item in items:
                value = item.find("xf:value", NS)
                if value is None or not (value.text or "").strip():
                    label = "".join(item.find("xf:label", NS).itertext()).strip() \
                        if item.find("xf:label", NS) is not None else ""
                    errors.append(FormError(ErrorCode.FORM_CHOICE_NO_VALUE, **at(ref or None, label=label or "？")))
        if tag == "range":
            for param in ("start", "end", "step"):
                value = element.get(param)
                if value is not None and not _decimal(value):
                    errors.append(FormError(ErrorCode.FORM_RANGE_PARAM, **at(ref or None, param=param, value=value)))
        if tag == "group" and not any(isinstance(c.tag, str) and etree.QName(c).localname not in ("label", "hint")
                                      for c in element):
            errors.append(FormError(ErrorCode.FORM_EMPTY_GROUP, **at(ref or None, name=ref or "（无名）")))
    for path, bind in form.binds.items():
        if bind.relevant is not None and path in bind.relevant.deps:
            errors.append(FormError(ErrorCode.FORM_SELF_RELEVANT, **at(path, "relevant")))
    return errors


def _attrs(element) -> str:
    return " ".join(f'{etree.QName(k).localname}="{v}"' for k, v in element.attrib.items())[:120]


def _decimal(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def _generic(path: str) -> str:
    return path.rstrip("/")


def _instance_paths(model) -> set[str]:
    """Every element path of the primary instance (repeat instances and templates alike), attributes left out."""
    instance = model.find("xf:instance", NS)
    top = next((c for c in instance if isinstance(c.tag, str)), None) if instance is not None else None
    paths: set[str] = set()

    def visit(element, prefix: str) -> None:
        path = f"{prefix}/{etree.QName(element).localname}"
        paths.add(path)
        for child in element:
            if isinstance(child.tag, str):
                visit(child, path)

    if top is not None:
        visit(top, "")
    return paths


_MEDIA_REF = re.compile(r"jr://(?:images|audio|video|file)/([^\s<>\"']+)")


def missing_media(root, media_dir) -> list[str]:
    """Notices for media files (label images, audio, video) the form names but its folder lacks: the form
    still opens and fills (JavaRosa shows an empty placeholder), but the author should add them."""
    if media_dir is None:
        return []
    names: dict[str, None] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).localname == "instance":
            continue
        for text in (element.text or "", *element.attrib.values()):
            for name in _MEDIA_REF.findall(text):
                names.setdefault(name)
    return [ErrorCode.FORM_MEDIA_FILE_MISSING.value.format(name=name) for name in names
            if not (media_dir / name).exists() and not (media_dir / "media" / name).exists()]
