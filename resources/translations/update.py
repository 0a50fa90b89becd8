"""Refresh the Qt translation catalogues after UI strings change (standard library only).

    .venv/bin/python resources/translations/update.py            # every cunfang_*.ts here
    .venv/bin/python resources/translations/update.py --add ug   # start cunfang_ug.ts, then refresh

For each ``cunfang_<lang>.ts`` beside this script:

1. ``pyside6-lupdate ui/*.py`` merges the current source strings into it (new ones come in unfinished);
2. in the source-language catalogue (zh_CN: Simplified Chinese is both the source and the default),
   every unfinished message gets the translation equal to its source and is marked finished;
   other languages keep their unfinished messages for a translator (Qt Linguist or an editor);
3. ``pyside6-lrelease`` compiles it to ``cunfang_<lang>.qm``, which ``ui/app_main.py`` loads.

``qt_gaps_<lang>.ts`` (written by hand: labels of Qt's own dialogs that Qt's shipped catalogue misses) is only
compiled.

The tools come from PySide6-Essentials, found next to the running Python first, then on PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCE_LANGUAGE = "zh_CN"
PREFIX = "cunfang_"


def tool(name: str) -> str:
    """The path of a PySide6 tool: the one in this Python's environment, else the first on PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: install PySide6-Essentials (pip install -e '.[test]') or activate the venv")
    return found


def ui_sources() -> list[str]:
    """Every UI module, relative to the project root (so the .ts records stable relative locations)."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").glob("*.py"))


def lupdate(ts: Path, language: str, *, drop_obsolete: bool) -> None:
    options = ["-silent", "-no-obsolete"] if drop_obsolete else ["-silent"]
    subprocess.run([tool("pyside6-lupdate"), *options, *ui_sources(), "-ts", str(ts),
                    "-source-language", SOURCE_LANGUAGE, "-target-language", language], cwd=ROOT, check=True)


def fill_identity(ts: Path) -> int:
    """Finish every unfinished message with its own source text; returns how many were filled."""
    tree = ET.parse(ts)
    filled = 0
    for message in tree.getroot().iter("message"):
        translation = message.find("translation")
        source = message.find("source")
        if translation is None or source is None or translation.get("type") != "unfinished":
            continue  # finished already, or vanished/obsolete (left for lupdate to drop)
        text = source.text or ""
        if message.get("numerus") == "yes":
            forms = translation.findall("numerusform") or [ET.SubElement(translation, "numerusform")]
            for form in forms:
                form.text = text
        else:
            translation.text = text
        del translation.attrib["type"]
        filled += 1
    if filled:
        tree.write(ts, encoding="utf-8", xml_declaration=True)
    return filled


def lrelease(ts: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], cwd=ROOT, check=True)


def language_of(ts: Path) -> str:
    return ts.stem.removeprefix(PREFIX)


def refresh(ts: Path) -> None:
    language = language_of(ts)
    source_catalogue = language == SOURCE_LANGUAGE
    lupdate(ts, language, drop_obsolete=source_catalogue)
    if source_catalogue and fill_identity(ts):
        lupdate(ts, language, drop_obsolete=True)  # once more, so the file is in lupdate's own layout
    lrelease(ts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", metavar="LANG", help="start a new catalogue, e.g. en or ug (cunfang_LANG.ts)")
    args = parser.parse_args(argv)
    if args.add:
        new = HERE / f"{PREFIX}{args.add}.ts"
        if new.exists():
            sys.exit(f"{new.name} exists already")
        lupdate(new, args.add, drop_obsolete=False)
    catalogues = sorted(HERE.glob(f"{PREFIX}*.ts"))
    if not any(language_of(ts) == SOURCE_LANGUAGE for ts in catalogues):
        catalogues.insert(0, HERE / f"{PREFIX}{SOURCE_LANGUAGE}.ts")
    for ts in catalogues:
        refresh(ts)
    for ts in sorted(HERE.glob("qt_gaps_*.ts")):
        lrelease(ts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
