"""Copy the corpus forms out of local git mirrors of their public repositories and write SOURCES.md.

Run once by a maintainer (not by the tests), with each repository's bare mirror as an argument::

    python tests/forms/corpus/gather.py getodk/javarosa=/path/to/javarosa.git enketo/enketo-core=/path ...

Forms land in ``forms/<owner>-<name>/``, flattened (a clash gets its folder's name as a prefix), with the small
media files (CSV, GeoJSON, XML secondary instances) they may read beside them. Files over ``MAX_BYTES`` and
byte-identical copies are skipped, so the corpus stays a few megabytes.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORMS = HERE / "forms"
MAX_BYTES = 150_000
MEDIA_EXT = (".csv", ".geojson", ".xml")

# repository → (licence, folders holding forms, folders holding media only)
REPOS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "getodk/javarosa": ("Apache-2.0", ("src/test/resources",), ()),
    "getodk/collect": ("Apache-2.0", ("test-forms/src/main/resources/forms", "collect_app/src/test/resources/forms"),
                       ("test-forms/src/main/resources/media", "collect_app/src/test/resources/media")),
    "enketo/enketo-core": ("Apache-2.0", ("test/forms",), ()),
    "enketo/enketo-transformer": ("Apache-2.0", ("test/forms",), ()),
    "XLSForm/pyxform": ("BSD-2-Clause", ("tests/example_xls", "tests/bug_example_xls", "tests/test_expected_output"),
                        ()),
}


def git(mirror: str, *args: str) -> bytes:
    return subprocess.run(["git", "-C", mirror, *args], check=True, capture_output=True).stdout


def is_form(path: str, data: bytes) -> bool:
    if path.lower().endswith((".xlsx", ".xls")):
        return True
    return path.lower().endswith(".xml") and (b"<h:html" in data[:4000] or b"<html" in data[:4000])


def main(argv: list[str]) -> None:
    seen: set[str] = set()
    rows: list[tuple[str, str, str, str, str]] = []
    for arg in argv:
        repo, mirror = arg.split("=", 1)
        licence, form_dirs, media_dirs = REPOS[repo]
        commit = git(mirror, "rev-parse", "HEAD").decode().strip()
        out = FORMS / repo.replace("/", "-")
        out.mkdir(parents=True, exist_ok=True)
        top = git(mirror, "ls-tree", "--name-only", "HEAD").decode().splitlines()
        licence_file = next(n for n in top if n.upper().startswith("LICENSE"))
        (out / "LICENSE").write_bytes(git(mirror, "show", f"HEAD:{licence_file}"))  # the licence travels along
        listing = git(mirror, "ls-tree", "-r", "-l", "HEAD", "--", *form_dirs, *media_dirs).decode().splitlines()
        for line in listing:
            meta, path = line.split("\t", 1)
            size = int(meta.split()[3])
            if size > MAX_BYTES or not path.lower().endswith((".xlsx", ".xls") + MEDIA_EXT):
                continue
            data = git(mirror, "show", f"HEAD:{path}")
            digest = hashlib.sha256(data).hexdigest()
            form = is_form(path, data) and not any(path.startswith(d) for d in media_dirs)
            if form and digest in seen:
                continue
            seen.add(digest)
            name = Path(path).name
            target = out / name
            if target.exists() and target.read_bytes() != data:
                target = out / f"{Path(path).parent.name}-{name}"
            target.write_bytes(data)
            rows.append((str(target.relative_to(HERE)), repo, commit, path, licence) if form else
                        (str(target.relative_to(HERE)), repo, commit, path, licence + " (media)"))
    lines = ["# Where the corpus forms come from", "",
             "Copied unchanged by `gather.py` from public repositories; each folder keeps its repository's LICENSE. Media files (CSV, GeoJSON, XML instances)",
             "are marked “(media)” after the licence.", "",
             "| File | Repository | Commit | Path | Licence |", "|---|---|---|---|---|"]
    lines += [f"| {f} | {r} | {c[:12]} | {p} | {lic} |" for f, r, c, p, lic in sorted(rows)]
    lines += ["", "Full commits: " + ", ".join(sorted({f"{r} {c}" for _, r, c, _, _ in rows})) + ".", ""]
    (HERE / "SOURCES.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"{sum(1 for r in rows if 'media' not in r[4])} forms, {len(rows)} files")


if __name__ == "__main__":
    main(sys.argv[1:])
