"""External instances: the CSV, GeoJSON and XML files a form reads (select_one_from_file, pulldata, instance())."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from lxml import etree

from app.errors import CunFangError, ErrorCode
from app.forms.xpath.nodes import Node, from_xml


def read_external_instance(path: Path) -> Node:
    """The file's root node: CSV rows and GeoJSON features as ``<item>`` elements, XML as it is."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _csv(path)
        if suffix == ".geojson":
            return _geojson(path)
        return from_xml(etree.parse(str(path)).getroot())
    except (OSError, UnicodeDecodeError, etree.XMLSyntaxError, json.JSONDecodeError, csv.Error) as exc:
        raise CunFangError(ErrorCode.FORM_MEDIA_UNREADABLE, name=path.name, reason=str(exc).splitlines()[0][:200]) \
            from exc


def _csv(path: Path) -> Node:
    root = Node("root")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            item = root.add("item")
            for key, value in row.items():
                if key:
                    item.add(key.strip(), (value or "").strip())
    return root


def _geojson(path: Path) -> Node:
    """A FeatureCollection as JavaRosa reads it: one ``item`` per feature, its geometry as ODK geo text
    (``lat lon 0 0``, points joined by ``;``), its id and properties as child elements."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list):
        raise CunFangError(ErrorCode.FORM_MEDIA_UNREADABLE, name=path.name,
                           reason="不是 GeoJSON 的 FeatureCollection（缺少 features 列表）")
    root = Node("root")
    for feature in features:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise CunFangError(ErrorCode.FORM_MEDIA_UNREADABLE, name=path.name, reason="features 里有一项不是 Feature")
        item = root.add("item")
        item.add("geometry", _geometry(path, feature.get("geometry")))
        if feature.get("id") is not None:
            item.add("id", str(feature["id"]))
        for key, value in (feature.get("properties") or {}).items():
            if key == "id" and item.child("id") is not None:
                continue
            item.add(str(key), "" if value is None else str(value))
    return root


def _geometry(path: Path, geometry) -> str:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    points = {"Point": lambda c: [c], "LineString": lambda c: c, "Polygon": lambda c: c[0] if c else []}.get(kind)
    if points is None or coords is None:
        raise CunFangError(ErrorCode.FORM_MEDIA_UNREADABLE, name=path.name,
                           reason=f"不支持的几何类型“{kind}”（只支持 Point、LineString、Polygon）")
    return "; ".join(f"{p[1]} {p[0]} {p[2] if len(p) > 2 else 0} 0" for p in points(coords))
