"""Form engine benchmark: a generated 500-question form.

Prints the time to load the form, and the time to apply one answer with
dependency-driven re-evaluation against a full re-evaluation of every bind (the
baseline), measured in the same run. Targets: under 5 ms per answer, and at most
a tenth of the full re-evaluation.

Then the opening a person waits for, with the form cache (app/forms/cache.py) warm
against empty, in interleaved rounds of the same run: the filler opening the
500-question workbook (填表 → 打开其他表单文件, ``FillPage.start``) and the 填表 page
listing the built-in forms (``FillPage.refresh``), each time with a new catalog, as
after a restart of the program. Target: a second open of the 500-question form
≤ 200 ms. The figure is the median of per-round ratios cached / uncached.

Run: .venv/bin/python benchmarks/forms.py [--questions 500] [--open-rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from app.forms.session import FormSession  # noqa: E402
from app.forms.xlsform import load_form  # noqa: E402


def build_form(path: Path, questions: int = 500) -> None:
    """Groups of 25 questions with relevance, constraints and a chain of calculations; one repeat."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::中文 (zh)", "relevant", "constraint", "constraint_message::中文 (zh)",
                   "calculation", "required"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::中文 (zh)"])
    for value, label in (("1", "是"), ("0", "否")):
        choices.append(["yesno", value, label])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "default_language"])
    settings.append(["bench", "1", "中文 (zh)"])
    made = 0
    group = 0
    while made < questions:
        group += 1
        survey.append(["begin group", f"g{group}", f"第{group}组", "${q1} != 99" if made else "", "", "", "", ""])
        for _ in range(20):
            made += 1
            i = made
            if i % 5 == 0:
                survey.append(["select_one yesno", f"q{i}", f"问题{i}", f"${{q{i - 1}}} != ''", "", "", "", ""])
            else:
                survey.append(["integer", f"q{i}", f"问题{i}", "", ". >= 0 and . < 1000", "请输入0到999", "",
                               "yes" if i % 7 == 0 else ""])
            if made >= questions:
                break
        for _ in range(5):
            if made >= questions:
                break
            made += 1
            i = made
            prev = f"${{c{i - 1}}}" if i > 1 and (i - 1) % 25 in range(21, 25) or (i - 1) % 25 == 0 else "0"
            survey.append(["calculate", f"c{i}", "", "", "", "", f"coalesce({prev}, 0) + coalesce(${{q{i - 5}}}, 0)",
                           ""])
        survey.append(["end group", "", "", "", "", "", "", ""])
    survey.append(["begin repeat", "rep", "成员", "", "", "", "", ""])
    for j in range(10):
        survey.append(["integer", f"r{j}", f"成员问题{j}", "", ". >= 0", "", "", ""])
    survey.append(["calculate", "rsum", "", "", "", "", "${r0} + ${r1}", ""])
    survey.append(["end repeat", "", "", "", "", "", "", ""])
    survey.append(["calculate", "total", "", "", "", "", "sum(${rsum})", ""])
    wb.save(path)


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--open-rounds", type=int, default=5, help="rounds of cached/uncached opening (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        build_form(path, args.questions)
        t0 = time.perf_counter()
        form = load_form(path)
        load_ms = (time.perf_counter() - t0) * 1000
    session = FormSession(form)
    for _ in range(3):
        session.add_repeat("/data/rep")
    binds = sum(1 for _ in session.graph.vertices)
    # Answer every integer question in turn, as a person filling the form would, several times over.
    nodes = [n for n in session.root.iter() if n.bind is not None and n.bind.type == "int"
             and n.bind.calculate is None]
    counter = iter(range(10**9))

    def one_answer():
        n = next(counter)
        session.set_value(nodes[n % len(nodes)], str((n * 7) % 900))

    incremental = sorted(timed(one_answer, max(args.repeat, 3 * len(nodes))))
    worst_node = session.node(form.by_name()["q1"])  # every group's relevance reads q1
    worst = timed(lambda: session.set_value(worst_node, str(next(counter) % 90)), 50)
    full = timed(session.recompute_all, 30)
    inc_mean, full_ms = statistics.fmean(incremental), statistics.median(full)
    print(f"form: {args.questions} questions, {binds} bind expressions, 3 repeat instances")
    print(f"load (XLSForm → pyxform → engine, graph built): {load_ms:.1f} ms")
    print(f"one answer, dependency-driven, over {len(nodes)} questions: mean {inc_mean:.3f} ms, "
          f"p95 {incremental[int(len(incremental) * 0.95)]:.3f} ms, max {incremental[-1]:.3f} ms  (target < 5 ms)")
    print(f"answer read by every group's relevance (worst case): median {statistics.median(worst):.3f} ms")
    print(f"full re-evaluation of every bind (baseline): median {full_ms:.3f} ms")
    print(f"ratio mean incremental / full: {inc_mean / full_ms:.3f}  (target ≤ 0.10)")
    if args.open_rounds:
        opening(args.questions, args.open_rounds)


def opening(questions: int, rounds: int) -> None:
    """The filler opening the big workbook and 填表 listing the built-ins: warm form cache against empty."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.forms.cache import FormCache
    from app.forms.library import FormLibrary
    from app.store import Store
    from app.store.keyring import FAST_KDF
    from ui.page_common import FormCatalog
    from ui.pages import FillPage

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workbook = root / "bench.xlsx"
        build_form(workbook, questions)
        store = Store.create(root / "data", "bench-passphrase", kdf=FAST_KDF)
        warm = FormCache(root / "warm")
        FormLibrary(store, warm).load_path(workbook)  # the first opens, earlier
        FormLibrary(store, warm).latest()

        def catalog(cached: bool, n: int) -> FormCatalog:
            made = FormCatalog(store)
            made.library.cache = warm if cached else FormCache(root / f"empty{n}")
            return made

        def open_filler(cached: bool, n: int) -> tuple[float, float, float]:
            page = FillPage(store, catalog(cached, n), "bench")
            page.show()
            app.processEvents()
            t0 = time.perf_counter()
            page.catalog.get(workbook)
            t1 = time.perf_counter()
            page.start(workbook)  # the form is in the catalog now: this is the filler being built
            app.processEvents()  # laid out and painted: the person sees the form and can answer
            t2 = time.perf_counter()
            filler = page.tabs.currentWidget()
            while filler._pending:  # the later sections, filled in the moments after
                app.processEvents()
            t3 = time.perf_counter()
            page.close()
            page.deleteLater()
            app.processEvents()
            return (t1 - t0) * 1000, (t2 - t0) * 1000, (t3 - t0) * 1000

        def list_forms(cached: bool, n: int) -> float:
            page = FillPage(store, catalog(cached, n), "bench")
            t0 = time.perf_counter()
            page.refresh()
            took = (time.perf_counter() - t0) * 1000
            page.deleteLater()
            return took

        results: dict[str, list] = {"load": [], "open": [], "whole": [], "list": []}
        for n in range(rounds):
            order = (False, True) if n % 2 == 0 else (True, False)
            got = {}
            for cached in order:
                got[cached] = (open_filler(cached, n), list_forms(cached, n + 1000))
            (load_u, open_u, whole_u), list_u = got[False]
            (load_c, open_c, whole_c), list_c = got[True]
            results["load"].append((load_u, load_c))
            results["open"].append((open_u, open_c))
            results["whole"].append((whole_u, whole_c))
            results["list"].append((list_u, list_c))
        store.close()
    print(f"opening, {rounds} interleaved rounds (uncached = empty form cache, cached = warm; "
          "a new catalog each time):")
    for key, what in (("load", f"the {questions}-question form read by the filler's catalog"),
                      ("open", f"the filler opening the {questions}-question form, shown and answerable"),
                      ("whole", "… until its last section is filled in"),
                      ("list", "填表 listing the built-in forms")):
        pairs = results[key]
        uncached = statistics.median(u for u, _ in pairs)
        cached = statistics.median(c for _, c in pairs)
        ratio = statistics.median(c / u for u, c in pairs)
        print(f"  {what}: uncached {uncached:.0f} ms, cached {cached:.0f} ms, median ratio {ratio:.3f}")
    print("  target: a second open of the form ≤ 200 ms")


if __name__ == "__main__":
    main()
