"""Record JavaRosa's verdict on every corpus form with ODK Validate (the jar pyxform ships); needs Java.

    python tests/forms/corpus/make_verdicts.py

An XLSForm is converted by pyxform first (a conversion error is a refusal: that is what a form author using ODK's
tools sees), then the XForm goes to ODK Validate. ``verdicts.json`` maps each form (relative to this folder) to
``{"verdict": "accept" | "refuse", "message": ...}``; the corpus test reads it, so running the tests needs no Java.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pyxform
from pyxform.xls2xform import convert

HERE = Path(__file__).resolve().parent
FORMS = HERE / "forms"
JAR = Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / "ODK_Validate.jar"
FORM_SUFFIXES = (".xml", ".xlsx", ".xls")


def corpus_forms() -> list[Path]:
    """Every form of the corpus (XForms are the .xml files whose root is an XHTML document)."""
    found = []
    for path in sorted(FORMS.rglob("*")):
        if path.suffix.lower() in (".xlsx", ".xls"):
            found.append(path)
        elif path.suffix.lower() == ".xml" and re.search(rb"<(h:)?html\b", path.read_bytes()[:4000]):
            found.append(path)
    return found


def _message(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("Validating:")]
    return " | ".join(lines)[:600]


def verdict(path: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        xml = path
        if path.suffix.lower() != ".xml":
            try:
                result = convert(xlsform=str(path), validate=False, pretty_print=True)
            except Exception as exc:  # noqa: BLE001 - any conversion failure is pyxform's refusal
                return {"verdict": "refuse", "message": f"pyxform: {_message(str(exc))}"}
            xml = Path(tmp) / (path.stem + ".xml")
            xml.write_text(result.xform, encoding="utf-8")
        run = subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(JAR), str(xml)],
                             capture_output=True, text=True, timeout=120)
    ok = run.returncode == 0
    return {"verdict": "accept" if ok else "refuse", "message": _message(run.stderr if not ok else "") or ""}


def main() -> None:
    verdicts = {}
    for path in corpus_forms():
        key = str(path.relative_to(HERE))
        verdicts[key] = verdict(path)
        print(verdicts[key]["verdict"], key, file=sys.stderr)
    out = {"validator": JAR.name + " (pyxform " + pyxform.__version__ + ")", "forms": verdicts}
    (HERE / "verdicts.json").write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
    accepted = sum(v["verdict"] == "accept" for v in verdicts.values())
    print(f"{len(verdicts)} forms, {accepted} accepted by JavaRosa")


if __name__ == "__main__":
    main()
