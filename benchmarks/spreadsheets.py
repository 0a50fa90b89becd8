"""Spreadsheet benchmark: export 50,000 records to .xlsx and .csv, import a 10,000-row roster.

Export. Demo data (``load_demo``) in a new encrypted store, its visit records trimmed
(or topped up with copies) to exactly ``--records``; ``export_records`` writes all of
them (every form, each on its sheet, repeats on their own sheets, the 说明 sheet; labels,
masked IDs: the defaults) to .xlsx and to .csv. Baseline, same run: the very cells the
app writes, captured beforehand (untimed) from an export with the app's sheet writer
wrapped, written straight with xlsxwriter in constant-memory mode (one typed call per
cell, a date format for dates, nothing else), and the very text rows of the app's CSV
files written back with ``csv.writer``. The baseline's CSV files must come out
byte-identical to the app's, and its workbook must hold the same cells (read back with
python-calamine); both are checked, untimed. The rows of the baseline are in memory
before its clock starts (``gc.freeze``d, so they cost neither side garbage collection).

Import. A roster made the way villages make them (a merged title row and a 填报单位 line
above the header; 序号 姓名 性别 身份证号 出生日期 所在村 村民小组 门牌号 监护人 联系电话) with
``--rows`` rows: 80 % new people (valid fictitious ID numbers from ``china.make_id`` with
the demo's region code), 15 % people already in the registry with a new phone number, 5 %
refused (bad check digit, an ID Excel stored as a number, unknown village, no name, a
repeated row). Timed: ``read_table`` alone; read + check (``read_table``, ``mapping_for``,
``analyse``: nothing written); read + check + write (``read_table``, ``mapping_for``,
``run_import`` into a fresh copy of the store each round, which analyses again inside its
transaction). Baseline: python-calamine reading the same file raw (``to_python`` of every
sheet, what ``read_table`` calls). The "read only" ratio compares like with like; the
others add the row checks and the database writes the raw read does not do.

Times: median of ``--runs`` rounds, the ways in turn in each round; a ratio to a baseline is the median of the
per-round ratios (each round's app time over the same round's baseline time), so rounds the median time would hide
still count. The app's exports use one ``FormLibrary`` made before the clock starts, as the app's window holds one
for the session (the forms' definitions are loaded once, not per export); loading them cold is printed apart.
Peak memory: each way
on its own in a fresh subprocess, at two sizes (``--records`` / 5 and ``--records``;
``--rows`` / 5 and ``--rows``): the process's peak RSS (Linux VmHWM; ``ru_maxrss`` elsewhere)
and its growth over the RSS just before the export or import started (after imports and
opening the store).

Targets (revised in issue 20), each printed with a PASS/FAIL verdict: CSV export at least 20,000 records/s;
.xlsx export at most 1.3x raw xlsxwriter; import (read only) at most 1.5x python-calamine; import memory: a
10,000-row township roster imported (read + check + write) in about 35 MiB of growth (it need not stay flat).
Export memory is still reported flat or not (growth at the larger size at most 1.2x the growth at the smaller
one + 8 MiB).

Run: .venv/bin/python benchmarks/spreadsheets.py [--records 50000] [--rows 10000] [--runs 3] [--profile]
Quick check: .venv/bin/python benchmarks/spreadsheets.py --quick   (5,000 records, 2,000 rows, 2 runs)
One half: --only export | --only import; times only: --no-memory
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import pickle
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import china  # noqa: E402
from app.demo import DEMO_REGION, load_demo  # noqa: E402
from app.store import Store  # noqa: E402
from app.store.keyring import FAST_KDF  # noqa: E402

PASSPHRASE = "benchmark-passphrase"
TARGET_RATIO = 1.5  # import, read only: read_table / python-calamine
XLSX_TARGET = 1.3  # .xlsx export / raw xlsxwriter
CSV_TARGET = 20_000  # records/s
IMPORT_ROWS = 10_000  # the township roster the memory target is for
IMPORT_MEMORY_MB = 35.0
FLAT_RATIO = 1.2
FLAT_SLACK_MB = 8.0
RECORDS_PER_PERSON = 3.2  # about what load_demo makes (elders and children visited over a year)
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                    "strings_to_urls": False}
ROSTER_HEADER = ["序号", "姓名", "性别", "身份证号", "出生日期", "所在村", "村民小组", "门牌号", "监护人", "联系电话"]
ROSTER_TITLE = "示范镇特殊困难人员花名册"
WHAT_IF_CACHE_KIB = 2048
WHAT_IF_XLSX = "app-xlsx, 2 MiB page cache"


# ---------------------------------------------------------------------- the data


def build_store(directory: Path, records: int) -> dict:
    """A demo store holding exactly ``records`` visit records; closed again. Returns its counts."""
    store = Store.create(directory, PASSPHRASE, kdf=FAST_KDF)
    try:
        load_demo(store, persons=max(50, int(records / RECORDS_PER_PERSON)), seed=1)
        conn = store.conn
        have = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        with store.transaction():
            if have > records:
                cut = conn.execute("SELECT rowid FROM records ORDER BY rowid LIMIT 1 OFFSET ?",
                                   (records - 1,)).fetchone()[0]
                conn.execute("DELETE FROM records WHERE rowid > ?", (cut,))
            columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
            at = columns.index("uuid")
            insert = f"INSERT INTO records ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            rng = random.Random(2)
            while have < records:
                rows = conn.execute(f"SELECT {', '.join(columns)} FROM records ORDER BY rowid LIMIT ?",
                                    (records - have,)).fetchall()
                conn.executemany(insert, [row[:at] + (f"{rng.getrandbits(128):032x}",) + row[at + 1:]
                                          for row in rows])
                have += len(rows)
        conn.execute("VACUUM")
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("persons", "records")}
        counts["forms"] = dict(conn.execute("SELECT form_id, count(*) FROM records GROUP BY form_id").fetchall())
        return counts
    finally:
        store.close()


def capture_cells(store: Store, out: Path, events_path: Path) -> list[tuple]:
    """Export to ``out`` (.xlsx) with the sheet writer wrapped: every sheet and row the app writes, in order,
    pickled one event at a time to ``events_path``. Returns (sheet, columns, rows) per sheet."""
    from app.spreadsheets import sinks
    from app.spreadsheets.records import export_records

    write_row, open_sheet = sinks.XlsxSheet.write_row, sinks.XlsxBook.sheet
    sheets: list[list] = []
    with events_path.open("wb") as f:
        def sheet(self, name, headers, **options):
            made = open_sheet(self, name, headers, **options)
            made.bench_index = len(sheets)
            sheets.append([made.ws.name, len(headers), 0])
            pickle.dump(("sheet", made.ws.name, list(headers)), f, pickle.HIGHEST_PROTOCOL)
            return made

        def row(self, values):
            sheets[self.bench_index][2] += 1
            pickle.dump(("row", self.bench_index, list(values)), f, pickle.HIGHEST_PROTOCOL)
            return write_row(self, values)

        with mock.patch.object(sinks.XlsxBook, "sheet", sheet), mock.patch.object(sinks.XlsxSheet, "write_row", row):
            export_records(store, out)
    return [tuple(s) for s in sheets]


def read_events(path: Path):
    with path.open("rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


def csv_files(out: Path) -> list[Path]:
    """The files a CSV export to ``out`` wrote: ``out`` (one form) or ``<stem>-<form>[-<repeat>].csv`` beside it."""
    return sorted([p for p in (out,) if p.exists()] + list(out.parent.glob(f"{out.stem}-*.csv")))


def read_csv_rows(paths: list[Path]) -> list[tuple[str, list[list[str]]]]:
    out = []
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as f:
            out.append((path.name, list(csv.reader(f))))
    return out


def make_roster(path: Path, rows: int, store: Store, seed: int = 8) -> dict[str, int]:
    """A village roster of ``rows`` rows (see the module's docstring); what each row is meant to be, counted."""
    import xlsxwriter

    from app.demo import _name

    rng = random.Random(seed)
    villages = [v["name"] for v in store.villages()]
    known = store.query("SELECT p.name, p.id_number, p.kind, v.name AS village FROM persons p "
                        "JOIN villages v ON v.id = p.village_id WHERE p.kind IN ('elder', 'child') "
                        "AND length(p.id_number) = 18 ORDER BY p.rowid")
    rng.shuffle(known)
    taken = {row["id_number"] for row in store.query("SELECT id_number FROM persons")}
    intent: dict[str, int] = {}
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    ws = book.add_worksheet("花名册")
    bold = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, len(ROSTER_HEADER) - 1, ROSTER_TITLE, bold)
    ws.write_string(1, 0, "填报单位：示范镇民政办")
    ws.write_string(1, 6, "填报日期：2026年2月")
    for col, header in enumerate(ROSTER_HEADER):
        ws.write_string(2, col, header)
    previous: list | None = None
    r = 3
    for i in range(rows):
        slot = i % 100
        if slot < 15 and known:
            person = known.pop()
            born = china.id_birth_date(person["id_number"])
            cells = [i + 1, person["name"], "男" if china.id_sex(person["id_number"]) == "1" else "女",
                     person["id_number"], born.isoformat(), person["village"], f"{rng.randint(1, 9)}组", "",
                     "", f"1990001{rng.randint(0, 9999):04d}"]
            kind = "update (new phone)"
        elif slot == 99 and previous is not None:
            cells = [i + 1, *previous[1:]]
            kind = "refused: repeated row"
        else:
            child = rng.random() < 0.4
            while True:
                born = (date(2010, 1, 1) + timedelta(days=rng.randint(0, 12 * 365)) if child
                        else date(1930, 1, 1) + timedelta(days=rng.randint(0, 34 * 365)))
                id_number = china.make_id(DEMO_REGION, born, rng.randint(0, 999))
                if id_number not in taken:
                    taken.add(id_number)
                    break
            name = _name(rng)
            cells = [i + 1, name, "男" if china.id_sex(id_number) == "1" else "女", id_number, born,
                     rng.choice(villages), f"{rng.randint(1, 9)}组", f"{rng.randint(1, 2000)}号",
                     _name(rng) if child else "", "" if child else f"1990000{rng.randint(0, 9999):04d}"]
            kind = "new"
            if slot == 95:
                cells[3] = id_number[:-1] + ("1" if id_number[-1] != "1" else "2")
                kind = "refused: bad check digit"
            elif slot == 96:
                cells[3] = float(id_number[:17] + "0")  # what Excel keeps of an ID typed as a number
                kind = "refused: ID stored as a number"
            elif slot == 97:
                cells[5] = "不存在村"
                kind = "refused: unknown village"
            elif slot == 98:
                cells[1] = ""
                kind = "refused: no name"
            else:
                previous = cells
        intent[kind] = intent.get(kind, 0) + 1
        for col, value in enumerate(cells):
            if value in ("", None):
                continue
            if isinstance(value, date):
                ws.write_datetime(r, col, value, day)
            elif isinstance(value, int | float):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, value)
        r += 1
    book.close()
    return intent


# ---------------------------------------------------------------------- the ways measured


def app_export(store: Store, out: Path, library=None) -> int:
    from app.spreadsheets.records import export_records

    return export_records(store, out, library=library).rows


def raw_xlsx(events, out: Path) -> int:
    """The app's cells straight into an xlsxwriter workbook (constant memory): one typed call per cell."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {**WORKBOOK_OPTIONS, "tmpdir": str(out.parent)})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheets: list = []
    rows: list[int] = []
    written = 0
    for event in events:
        if event[0] == "sheet":
            ws = book.add_worksheet(event[1])
            for col, header in enumerate(event[2]):
                ws.write_string(0, col, header)
            sheets.append(ws)
            rows.append(1)
            continue
        _, index, values = event
        ws, r = sheets[index], rows[index]
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    ws.write_string(r, col, value)
            elif value is None:
                continue
            elif kind is datetime:
                ws.write_datetime(r, col, value, moment)
            elif kind is date:
                ws.write_datetime(r, col, value, day)
            elif kind is bool:
                ws.write_string(r, col, str(value).lower())
            else:
                ws.write_number(r, col, value)
        rows[index] = r + 1
        written += 1
    book.close()
    return written


def read_floor(store: Store) -> int:
    """What any export of the records must do before writing a cell: page through every record with the
    app's SQL (the same join and paging as ``export_records``) and decode its JSON. Nothing is written."""
    from app.store.exports import RECORD_SELECT, paged, record_form_ids

    count = 0
    for form_id in record_form_ids(store, [], []):
        for row in paged(store, RECORD_SELECT, "records", ["r.form_id = ?"], [form_id]):
            json.loads(row["data"])
            count += 1
    return count


def raw_csv(files, directory: Path) -> int:
    """The app's CSV text rows written back with ``csv.writer`` (UTF-8 with BOM, as the app writes them)."""
    count = 0
    for name, rows in files:
        with (directory / name).open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(rows)
        count += 1
    return count


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names)


def app_read(path: Path) -> int:
    from app.spreadsheets.importer import read_table

    return len(read_table(path).rows)


def app_check(store: Store, path: Path):
    from app.spreadsheets.importer import ImportOptions, analyse, mapping_for, read_table

    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)
    return analyse(store, table, mapping, ImportOptions())


def app_import(store: Store, path: Path):
    from app.spreadsheets.importer import ImportOptions, mapping_for, read_table, run_import

    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)
    return run_import(store, table, mapping, ImportOptions(), author="benchmark")


# ---------------------------------------------------------------------- memory, in a subprocess each


def proc_status_mb(field: str) -> float | None:
    """VmRSS (now) or VmHWM (the peak) of this process from Linux /proc, in MiB; None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_mb() -> float:
    """The process's peak RSS. On Linux VmHWM: ``ru_maxrss`` is no use in a child started by ``subprocess``, which
    inherits the parent's high-water mark across fork/vfork and exec; elsewhere ``ru_maxrss``."""
    peak = proc_status_mb("VmHWM")
    if peak is not None:
        return peak
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def child(spec: dict) -> dict:
    """One way, alone in this process: its peak RSS and its growth over the RSS just before it started."""
    import python_calamine  # noqa: F401 - every way starts with the same modules loaded
    import xlsxwriter  # noqa: F401

    import app.spreadsheets.importer  # noqa: F401
    import app.spreadsheets.records  # noqa: F401
    from app.forms.library import FormLibrary  # noqa: F401

    way = spec["way"]
    store = Store.open(Path(spec["store"]), PASSPHRASE) if "store" in spec else None
    if store is not None and spec.get("cache_kib"):
        store.conn.execute(f"PRAGMA cache_size = -{int(spec['cache_kib'])}")
    if way == "raw-csv":
        def source():  # streamed from the app's own files: one row in memory at a time
            for name in spec["files"]:
                with open(name, encoding="utf-8-sig", newline="") as f:
                    yield Path(name).name, csv.reader(f)
                    # the writer has consumed the reader before the generator resumes
    gc.collect()
    before = proc_status_mb("VmRSS")
    start_peak = peak_rss_mb()
    t0 = time.perf_counter()
    if way in ("app-xlsx", "app-csv"):
        app_export(store, Path(spec["out"]))
    elif way == "raw-xlsx":
        raw_xlsx(read_events(Path(spec["events"])), Path(spec["out"]))
    elif way == "raw-csv":
        raw_csv(source(), Path(spec["out"]))
    elif way == "calamine":
        calamine_read(Path(spec["roster"]))
    elif way == "app-read":
        app_read(Path(spec["roster"]))
    elif way == "app-import":
        app_import(store, Path(spec["roster"]))
    elif way == "forms":  # the fixed part of an export: the forms' definitions, read from their workbooks
        library = FormLibrary(store)
        for form_id in ("elder_visit", "child_visit"):
            library.get(form_id)
    elif way == "pinyin":  # the fixed part of an import: the pinyin table, loaded on the first name written
        from app.store.search import name_pinyin

        name_pinyin("张三")
    else:
        raise ValueError(way)
    seconds = time.perf_counter() - t0
    peak = peak_rss_mb()
    if store is not None:
        store.close()
    return {"before": before if before is not None else start_peak, "peak": peak, "seconds": seconds}


def measure(spec: dict) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{spec['way']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------- reporting


CPU: dict[str, list[float]] = {}
"""CPU seconds of each way per round (this process's ``time.process_time``), filled by ``rounds``: on a machine
other work keeps busy the wall-clock times stretch, CPU times much less."""


def rounds(ways: dict, runs: int) -> dict[str, list[float]]:
    """Seconds of each way per round (wall clock; CPU seconds go to ``CPU``); the ways in turn in each round. A
    way is (prepare, run): prepare is untimed and returns the argument run takes."""
    times: dict[str, list[float]] = {name: [] for name in ways}
    for name in ways:
        CPU[name] = []
    for _ in range(runs):
        for name, (prepare, run) in ways.items():
            arg = prepare()
            c0, t0 = time.process_time(), time.perf_counter()
            run(arg)
            times[name].append(time.perf_counter() - t0)
            CPU[name].append(time.process_time() - c0)
    return times


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratio_line(label: str, app: list[float], raw: list[float], *, target: float | None = TARGET_RATIO) -> bool:
    """The median of the per-round ratios app/raw, the rounds' ratios beside it, and the verdict."""
    ratios = [a / r for a, r in zip(app, raw, strict=True)]
    ratio = statistics.median(ratios)
    each = ", ".join(f"{x:.2f}" for x in ratios)
    tail = (f"(target ≤ {target}x)  {verdict(ratio <= target)}" if target
            else "(no target: the raw read does none of this work)")
    print(f"  {label:<46} median of per-round ratios {ratio:>5.2f}x (rounds: {each})  {tail}")
    return target is None or ratio <= target


def cpu_ratio(label: str, app: str, raw: str) -> None:
    """The same ratio in CPU seconds, for scale (not a verdict): what the machine's other work does not stretch."""
    ratios = [a / r for a, r in zip(CPU[app], CPU[raw], strict=True) if r > 0]
    if ratios:
        print(f"  {label + ' (CPU time)':<46} median of per-round ratios {statistics.median(ratios):>5.2f}x "
              f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})  for scale, not a verdict")


def print_times(times: dict[str, list[float]], unit_count: int, unit: str) -> dict[str, float]:
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        runs = ", ".join(f"{x:.3f}" for x in t)
        cpu = statistics.median(CPU[name]) if CPU.get(name) else None
        used = f"; CPU median {cpu:.3f} s ({unit_count / cpu:,.0f} {unit}/s)" if cpu else ""
        print(f"  {name:<46} median {medians[name]:>8.3f} s  ({unit_count / medians[name]:>9,.0f} {unit}/s)  "
              f"runs: {runs}{used}")
    return medians


def print_memory(title: str, sizes: list[int], ways: list[str], results: dict, unit: str) -> dict[str, bool]:
    print(f"\n{title}")
    small, large = sizes[0], sizes[-1]
    print(f"  {'way':<30}" + "".join(f"{f'{n:,} {unit}: peak / growth':>34}" for n in sizes)
          + f"  {'growth for ' + f'{large - small:,}' + ' more ' + unit:>32}   flat?")
    flat = {}
    for way in ways:
        cells, growth = "", []
        for n in sizes:
            r = results[(way, n)]
            growth.append(max(0.0, r["peak"] - r["before"]))
            cells += f"{r['peak']:>18.1f} MiB / {growth[-1]:>6.1f} MiB"
        extra = growth[-1] - growth[0]
        ok = growth[-1] <= FLAT_RATIO * growth[0] + FLAT_SLACK_MB
        flat[way] = ok
        per = extra / max(1, large - small) * 1000 * 1024
        print(f"  {way:<30}{cells}  {extra:>+11.1f} MiB ({per:>+7.1f} KiB/1,000)   {verdict(ok)}")
    return flat


def code_version() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "app"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes in app/" if dirty else "")


def profile(label: str, fn) -> None:
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    print(f"\nprofile: {label} (cProfile, top 18 by own time)")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(18)


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50000, help="records to export (default 50,000)")
    parser.add_argument("--rows", type=int, default=10000, help="roster rows to import (default 10,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed rounds; the median is reported")
    parser.add_argument("--quick", action="store_true", help="5,000 records, 2,000 rows, 2 runs")
    parser.add_argument("--profile", action="store_true", help="also cProfile the app's exports and import")
    parser.add_argument("--only", choices=("export", "import"), help="run one half of the benchmark")
    parser.add_argument("--no-memory", action="store_true",
                        help="times only: skip the memory measurements (each way again in its own process)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.quick:
        args.records, args.rows, args.runs = 5000, 2000, 2
    export_sizes = sorted({max(100, args.records // 5), args.records})
    import_sizes = sorted({max(100, args.rows // 5), args.rows})

    from importlib.metadata import version

    print(f"spreadsheets benchmark: code {code_version()}; Python {platform.python_version()}, "
          f"xlsxwriter {version('xlsxwriter')}, python-calamine {version('python-calamine')}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="cunfang-bench-") as tmp:
        tmp_path = Path(tmp)
        if args.only != "import":
            run_export(args, tmp_path, export_sizes)
        if args.only != "export":
            run_import(args, tmp_path, import_sizes)


def run_export(args, tmp: Path, sizes: list[int]) -> None:
    largest = sizes[-1]
    data: dict[int, dict] = {}
    for n in sizes:
        t0 = time.perf_counter()
        directory = tmp / f"store-{n}"
        counts = build_store(directory, n)
        size_mb = (directory / "cunfang.db").stat().st_size / 1e6
        work = tmp / f"capture-{n}"
        work.mkdir()
        store = Store.open(directory, PASSPHRASE)
        try:
            sheets = capture_cells(store, work / "app.xlsx", work / "events.pickle")
            app_export(store, work / "app.csv")
        finally:
            store.close()
        data[n] = {"store": directory, "events": work / "events.pickle", "csv": csv_files(work / "app.csv"),
                   "sheets": sheets}
        forms = ", ".join(f"{k} {v:,}" for k, v in counts["forms"].items())
        print(f"store with {counts['records']:,} records ({forms}), {counts['persons']:,} persons, "
              f"{size_mb:.1f} MB; built and cells captured in {time.perf_counter() - t0:.1f} s (untimed)", flush=True)
    sheets = data[largest]["sheets"]
    cells = sum(rows * columns for _, columns, rows in sheets)
    print("  sheets: " + "; ".join(f"{name} {rows:,} rows x {columns} columns" for name, columns, rows in sheets)
          + f"  ({cells:,} cells)")

    out = tmp / "timed"
    (out / "raw-csv").mkdir(parents=True)
    held = {"events": list(read_events(data[largest]["events"])), "csv": read_csv_rows(data[largest]["csv"])}
    gc.collect()
    gc.freeze()  # the baseline's rows in memory: out of every garbage collection, for both sides
    store = Store.open(data[largest]["store"], PASSPHRASE)
    try:
        from app.forms.library import FormLibrary

        t0 = time.perf_counter()
        library = FormLibrary(store)  # what the app's window holds for the session
        app_export(store, out / "warm.csv", library)
        cold = time.perf_counter() - t0
        print(f"\nexport of {largest:,} records: median of {args.runs} rounds, the five ways in turn; the app's "
              f"forms loaded once before (cold, with a first export: {cold:.2f} s)", flush=True)
        times = rounds({
            "app export_records → .xlsx": (lambda: None, lambda _: app_export(store, out / "app.xlsx", library)),
            "raw xlsxwriter (constant_memory)": (lambda: None, lambda _: raw_xlsx(held["events"], out / "raw.xlsx")),
            "app export_records → .csv": (lambda: None, lambda _: app_export(store, out / "app.csv", library)),
            "raw csv.writer": (lambda: None, lambda _: raw_csv(held["csv"], out / "raw-csv")),
            "read floor (SQL + JSON, no writing)": (lambda: None, lambda _: read_floor(store)),
        }, args.runs)
        medians = print_times(times, largest, "records")
        names = list(medians)
        ok_xlsx = ratio_line(".xlsx: app / raw xlsxwriter", times[names[0]], times[names[1]], target=XLSX_TARGET)
        cpu_ratio(".xlsx: app / raw xlsxwriter", names[0], names[1])
        ratio_line(".csv: app / raw csv.writer", times[names[2]], times[names[3]], target=None)
        csv_rate = largest / medians[names[2]]
        ok_csv = csv_rate >= CSV_TARGET
        print(f"  {'.csv throughput':<46} {csv_rate:>9,.0f} records/s (target ≥ {CSV_TARGET:,})  {verdict(ok_csv)}")
        cpu_rate = largest / statistics.median(CPU[names[2]])
        print(f"  {'.csv throughput in CPU time':<46} {cpu_rate:>9,.0f} records/s (for scale: on an idle machine the "
              f"wall clock comes close to this; {os.getloadavg()[0]:.1f} processes were runnable on average in the "
              "last minute)")
        floor = medians[names[4]]
        print(f"  for scale: reading the records alone (the read floor) takes {floor:.3f} s = "
              f"{floor / medians[names[3]]:.2f}x the raw csv.writer, whose rows are ready in memory; the app's .csv "
              f"export is {medians[names[2]] / floor:.2f}x the read floor")
        if args.profile:
            profile(f"export_records → .xlsx, {largest:,} records",
                    lambda: app_export(store, out / "p.xlsx", library))
            profile(f"export_records → .csv, {largest:,} records", lambda: app_export(store, out / "p.csv", library))
    finally:
        store.close()
        gc.unfreeze()
        held.clear()
        gc.collect()
    same = check_outputs(out, data[largest])
    if args.no_memory:
        print(f"\nexport verdicts: .xlsx ≤ {XLSX_TARGET}x raw xlsxwriter {verdict(ok_xlsx)}, "
              f".csv ≥ {CSV_TARGET:,} records/s {verdict(ok_csv)}; memory not measured (--no-memory); "
              f"baseline output identical: {'yes' if same else 'NO'}", flush=True)
        return

    results = {}
    for n in sizes:
        d = data[n]
        target = tmp / f"mem-{n}"
        (target / "raw-csv").mkdir(parents=True)
        specs = {"app-xlsx": {"store": str(d["store"]), "out": str(target / "app.xlsx")},
                 "raw-xlsx": {"events": str(d["events"]), "out": str(target / "raw.xlsx")},
                 "app-csv": {"store": str(d["store"]), "out": str(target / "app.csv")},
                 "raw-csv": {"files": [str(p) for p in d["csv"]], "out": str(target / "raw-csv")},
                 WHAT_IF_XLSX: {"way": "app-xlsx", "store": str(d["store"]), "out": str(target / "cache.xlsx"),
                                "cache_kib": WHAT_IF_CACHE_KIB}}
        for way, spec in specs.items():
            results[(way, n)] = measure({"way": way, **spec})
    flat = print_memory("export memory, each way alone in a spawned process (peak RSS / growth over the RSS "
                        "before it started)", sizes, list(specs), results, "records")
    forms = measure({"way": "forms", "store": str(data[sizes[0]]["store"])})
    print(f"  flat = growth at {sizes[-1]:,} ≤ {FLAT_RATIO}x growth at {sizes[0]:,} + {FLAT_SLACK_MB:.0f} MiB. "
          "raw-xlsx streams the captured cells from a pickle file; raw-csv streams the app's CSV files.")
    print(f"  of the app's growth, {max(0.0, forms['peak'] - forms['before']):.1f} MiB is fixed: loading the two "
          "forms' definitions (FormLibrary, openpyxl), measured alone the same way.")
    print(f"  what-if (not a verdict): {WHAT_IF_XLSX} sets PRAGMA cache_size = -{WHAT_IF_CACHE_KIB} after opening the "
          "store; the store's own page cache is 64 MiB (app/store/connection.py) and fills as an export reads a "
          "database larger than that")
    print(f"\nexport verdicts: .xlsx ≤ {XLSX_TARGET}x raw xlsxwriter {verdict(ok_xlsx)}, "
          f".csv ≥ {CSV_TARGET:,} records/s {verdict(ok_csv)}, "
          f".xlsx memory {verdict(flat['app-xlsx'])}, .csv memory {verdict(flat['app-csv'])} "
          f"(with a 2 MiB page cache: {verdict(flat[WHAT_IF_XLSX])}); "
          f"baseline output identical: {'yes' if same else 'NO'}", flush=True)


def check_outputs(out: Path, data: dict) -> bool:
    """The baseline wrote what the app wrote: CSV byte for byte, the workbook cell for cell (python-calamine)."""
    from python_calamine import CalamineWorkbook

    csv_same = all((out / "raw-csv" / p.name).read_bytes() == (out / p.name).read_bytes()
                   for p in csv_files(out / "app.csv"))
    app_book = CalamineWorkbook.from_path(str(out / "app.xlsx"))
    raw_book = CalamineWorkbook.from_path(str(out / "raw.xlsx"))
    xlsx_same = all(app_book.get_sheet_by_name(name).to_python() == raw_book.get_sheet_by_name(name).to_python()
                    for name, _, _ in data["sheets"])
    extra = [name for name in app_book.sheet_names if name not in raw_book.sheet_names]
    print(f"  check (untimed): raw CSV files byte-identical to the app's: {'yes' if csv_same else 'NO'}; "
          f"raw workbook holds the same cells as the app's on {len(data['sheets'])} sheets: "
          f"{'yes' if xlsx_same else 'NO'} (the app's workbook also has: {'、'.join(extra) or 'nothing'})")
    return csv_same and xlsx_same


def run_import(args, tmp: Path, sizes: list[int]) -> None:
    largest = sizes[-1]
    t0 = time.perf_counter()
    template = tmp / "import-template"
    store = Store.create(template, PASSPHRASE, kdf=FAST_KDF)
    try:
        loaded = load_demo(store, persons=max(300, largest * 3 // 10), seed=3)
        rosters, intents = {}, {}
        for n in sizes:
            rosters[n] = tmp / f"花名册-{n}.xlsx"
            intents[n] = make_roster(rosters[n], n, store)
    finally:
        store.close()
    print(f"\nimport: store with {loaded['persons']:,} demo persons; roster of {largest:,} rows "
          f"({rosters[largest].stat().st_size / 1e6:.1f} MB): "
          + ", ".join(f"{k} {v:,}" for k, v in intents[largest].items())
          + f"; made in {time.perf_counter() - t0:.1f} s (untimed)", flush=True)
    copies = iter(range(10**6))

    def fresh_store() -> Store:
        directory = tmp / f"import-copy-{next(copies)}"
        shutil.copytree(template, directory)
        return Store.open(directory, PASSPHRASE)

    roster = rosters[largest]
    check_store = fresh_store()
    opened: list[Store] = []

    def prepare_import() -> Store:
        while opened:
            opened.pop().close()
        opened.append(fresh_store())
        return opened[-1]

    imported: list = []
    try:
        preview = app_check(check_store, roster)  # a warm-up, and what the roster turns into
        print("  the app's preview: " + ", ".join(f"{k} {v:,}" for k, v in preview.counts.items()))
        print(f"\nimport of {largest:,} rows: median of {args.runs} rounds, the four ways in turn", flush=True)
        times = rounds({
            "raw python-calamine read": (lambda: None, lambda _: calamine_read(roster)),
            "app read_table (read only)": (lambda: None, lambda _: app_read(roster)),
            "app read + check (analyse)": (lambda: None, lambda _: app_check(check_store, roster)),
            "app read + check + write (run_import)": (
                prepare_import, lambda s: imported.append(app_import(s, roster))),
        }, args.runs)
        print(f"  last run_import: {imported[-1].summary()}")
        imported.clear()
        print_times(times, largest, "rows")
        raw = times["raw python-calamine read"]
        ok_read = ratio_line("read only: read_table / calamine", times["app read_table (read only)"], raw)
        cpu_ratio("read only: read_table / calamine", "app read_table (read only)", "raw python-calamine read")
        ratio_line("read + check / calamine", times["app read + check (analyse)"], raw, target=None)
        ratio_line("read + check + write / calamine", times["app read + check + write (run_import)"], raw,
                   target=None)
        if args.profile:
            profile(f"read_table, {largest:,} rows", lambda: app_read(roster))
            target = prepare_import()
            profile(f"read + check + write (run_import), {largest:,} rows", lambda: app_import(target, roster))
    finally:
        check_store.close()
        while opened:
            opened.pop().close()
    if args.no_memory:
        print(f"\nimport verdicts: read only ≤ {TARGET_RATIO}x calamine {verdict(ok_read)}; memory not measured "
              "(--no-memory)")
        return

    results = {}
    for n in sizes:
        for way in ("calamine", "app-read", "app-import"):
            spec = {"way": way, "roster": str(rosters[n])}
            if way == "app-import":
                copy = fresh_store()
                spec["store"] = str(copy.data_dir)
                copy.close()
            results[(way, n)] = measure(spec)
    flat = print_memory("import memory, each way alone in a spawned process (peak RSS / growth over the RSS "
                        "before it started)", sizes, ["calamine", "app-read", "app-import"], results, "rows")
    pinyin = measure({"way": "pinyin"})
    print("  an import holds the whole sheet (calamine's to_python) and every row's outcome (the preview the user "
          "confirms) by design; compare its growth with calamine's.")
    print(f"  of app-import's growth, {max(0.0, pinyin['peak'] - pinyin['before']):.1f} MiB is fixed: the pinyin "
          "table, loaded on the first person written (in the app, already loaded once anyone has searched)")
    r = results[("app-import", largest)]
    growth = max(0.0, r["peak"] - r["before"])
    if largest == IMPORT_ROWS:
        ok_memory = growth <= IMPORT_MEMORY_MB * 1.1  # "about 35 MiB": within a tenth of it
        memory = (f"{verdict(ok_memory)} ({growth:.1f} MiB for {largest:,} rows; target about "
                  f"{IMPORT_MEMORY_MB:.0f} MiB, up to {IMPORT_MEMORY_MB * 1.1:.1f})")
    else:
        memory = (f"no verdict ({growth:.1f} MiB for {largest:,} rows; the target, about {IMPORT_MEMORY_MB:.0f} MiB, "
                  f"is for {IMPORT_ROWS:,} rows: run with --rows {IMPORT_ROWS})")
    print(f"\nimport verdicts: read only ≤ {TARGET_RATIO}x calamine {verdict(ok_read)}; import memory {memory}; "
          f"read + check and read + check + write have no raw equivalent (ratios above are for scale); "
          f"memory flat (no longer a target): calamine {verdict(flat['calamine'])}, app read "
          f"{verdict(flat['app-read'])}, app import {verdict(flat['app-import'])}")


if __name__ == "__main__":
    main()
