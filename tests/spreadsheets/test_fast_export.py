"""The fast export path writes what a straightforward conversion writes, for every built-in form.

The export reads all forms in one pass and turns each record into a row with a function compiled once per table
(``cells.row_function``). The reference here does it the plain way: per record, per column, the column's
``converter`` then ``csv_text``, written with ``csv.writer`` in UTF-8 with a BOM. Records of every built-in form,
with answers drawn by hypothesis (choice codes known and unknown, dates good and bad, ID and mobile numbers, numbers
as text and as numbers, empty answers, and odd values: lists, objects, booleans), are saved interleaved; the CSV
files must be byte for byte the reference's, and the typed cells the .xlsx writer receives must equal the
reference's values.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app import china
from app.forms.library import FormLibrary
from app.spreadsheets.cells import converter, csv_text, row_function, to_datetime
from app.spreadsheets.layout import Table, forms_table
from app.spreadsheets.records import MAIN_FIXED, REPEAT_FIXED, export_records
from app.store import STATUS_LABELS
from tests.spreadsheets.conftest import VILLAGES

ID = china.make_id("340102", date(1941, 2, 14), 451)
MOBILE = "13905511234"
TEXTS = ["", " ", "王秀英", "独居", f"身份证 {ID}", f"电话{MOBILE}", ID, MOBILE, "0551-6512345", "007", "12.50", "1e3",
         "2026-03-02", "2026-02-30", "2026-03-02T10:15:00+08:00", "08:30", "a,b\"c\nd"]
ODD = st.one_of(st.booleans(), st.integers(-10**18, 10**18), st.floats(allow_nan=False, allow_infinity=False))
LISTS = st.one_of(st.lists(st.sampled_from(["一", "2"]), max_size=2),
                  st.dictionaries(st.sampled_from(["k"]), st.integers(), max_size=1))
STATUSES = ["draft", "finalized", "queued", "sent", "accepted", "rejected"]


def answer(field, odd: bool) -> st.SearchStrategy:
    """What a question of this kind may hold: mostly plausible answers, sometimes anything; in an ``odd`` record
    also lists and objects (which the row function hands to the per-cell converters)."""
    codes = [code for code, _ in field.choices] or ["1"]
    if field.qtype == "select_one":
        usual = st.sampled_from([*codes, "unknown_code"])
    elif field.qtype in ("select_multiple", "rank"):
        usual = st.lists(st.sampled_from([*codes, "x9"]), max_size=3).map(" ".join)
    elif field.qtype == "date":
        usual = st.one_of(st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(date.isoformat),
                          st.sampled_from(["2026-02-30", "明天"]))
    elif field.qtype in ("datetime", "dateTime"):
        usual = st.sampled_from(["2026-03-02T10:15:00+08:00", "2026-03-02T10:15:00.250Z", "2026-03-02 10:15",
                                 "2026-03-02T00:00:07", "2026-03-02", "不详"])
    elif field.qtype in ("integer", "decimal", "range", "int"):
        usual = st.one_of(st.integers(-1000, 10**6), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(
            ["42", " 7 ", "3.0", "007", ID, MOBILE, "三"]))
    elif field.qtype == "time":
        usual = st.sampled_from(["08:30", "08:30:15", "08:30:15.000+08:00", "早上"])
    else:
        usual = st.one_of(st.sampled_from(TEXTS), st.text(max_size=12))
    return st.one_of(st.none(), usual, usual, usual, ODD, *([LISTS] if odd else []))


def answers_for(table: Table, odd: bool, depth: int = 0) -> st.SearchStrategy:
    fields = {f.name: answer(f, odd) for f in table.fields}
    if depth < 2:
        for repeat in table.repeats:
            fields[repeat.name] = st.one_of(st.none(), st.lists(st.one_of(answers_for(repeat, odd, depth + 1),
                                                                          st.just("不是一项")), max_size=3))
    return st.fixed_dictionaries(fields)  # every question (a missing answer and a null one read alike)


def reference_rows(table: Table, records: list[dict], *, codes: bool, full_ids: bool) -> dict[str, list[list]]:
    """Each sheet's rows (by table path), converted the plain way: one converter call per cell, then csv_text."""
    sheets: dict[str, list[list]] = {t.path: [] for t in table.walk()}

    def convert(t: Table, item: dict) -> list[str]:
        return [csv_text(converter(f.qtype, identity=f.identity, choices=dict(f.choices), codes=codes,
                                   full_ids=full_ids)(item.get(f.name))) for f in t.fields]

    def repeats(t: Table, item: dict, uuid: str, person: str, prefix: str) -> None:
        for repeat in t.repeats:
            items = item.get(repeat.name)
            if not isinstance(items, list):
                continue
            for i, sub in enumerate(items, 1):
                if isinstance(sub, dict):
                    sheets[repeat.path].append([uuid, person, f"{prefix}{i}"] + convert(repeat, sub))
                    repeats(repeat, sub, uuid, person, f"{prefix}{i}.")

    for r in records:
        data = json.loads(r["data"])
        status = r["status"] if codes else STATUS_LABELS.get(r["status"], r["status"])
        fixed = [r["uuid"], VILLAGES.get(r["village_id"], r["village_id"]), r["person"] or "", status, r["author"],
                 to_datetime(r["created_at"], local=True), to_datetime(r["updated_at"], local=True),
                 r["form_version"]]
        sheets[table.path].append([csv_text(v) for v in fixed] + convert(table, data))
        repeats(table, data, r["uuid"], r["person"] or "", "")
    return sheets


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def test_every_built_in_form_exports_what_the_plain_conversion_gives(store, tmp_path):
    library = FormLibrary(store)
    forms = {form.form_id: form for form in library.latest()}
    tables = {form_id: forms_table([form]) for form_id, form in forms.items()}
    assert len(tables) >= 10 and any(t.repeats for t in tables.values())
    people = [store.add_person(name=name, kind="elder", village_id=village)
              for name, village in (("欧阳秀英", "340102001001"), ("李四", "340102001002"))]
    record = st.tuples(st.sampled_from(sorted(forms)), st.sampled_from([None, *people]),
                       st.sampled_from([*VILLAGES, None]), st.sampled_from(STATUSES),
                       st.sampled_from(["2026-01-31T16:30:05.250+00:00", "2026-03-02T00:00:00.000+00:00", None]))
    round_no = iter(range(10**6))

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(data=st.data(), codes=st.booleans(), full_ids=st.booleans())
    def check(data, codes, full_ids):
        store.conn.execute("DELETE FROM records")
        picked = data.draw(st.lists(record, min_size=1, max_size=25), label="records")
        picked += [(form_id, None, "340102001001", "finalized", None) for form_id in sorted(forms)]  # each form
        for form_id, person, village, status, created in picked:
            answers = data.draw(answers_for(tables[form_id], data.draw(st.booleans(), label="odd")), label=form_id)
            uuid = store.save_draft(form_id=form_id, form_version=forms[form_id].version or "", data=answers,
                                    person_id=person, village_id=village, author="李秀兰", title="")
            store.conn.execute("UPDATE records SET status = ? WHERE uuid = ?", (status, uuid))
            if created:
                store.conn.execute("UPDATE records SET created_at = ? WHERE uuid = ?", (created, uuid))
        saved = store.query("SELECT r.uuid, r.form_id, r.form_version, r.status, r.author, r.created_at, "
                            "r.updated_at, r.village_id, r.data, p.name AS person FROM records r "
                            "LEFT JOIN persons p ON p.id = r.person_id ORDER BY r.rowid")
        folder = tmp_path / f"round-{next(round_no)}"
        folder.mkdir()

        export_records(store, folder / "台账.csv", codes=codes, full_ids=full_ids, library=library)

        expected: dict[str, bytes] = {}
        for form_id, table in tables.items():
            mine = [r for r in saved if r["form_id"] == form_id]
            sheets = reference_rows(table, mine, codes=codes, full_ids=full_ids)
            for t in table.walk():
                main = t is table
                name = f"台账-{form_id}.csv" if main else f"台账-{form_id}-{t.name}.csv"
                headers = (MAIN_FIXED if main else REPEAT_FIXED) + [f.header for f in t.fields]
                expected[name] = csv_bytes(headers, sheets[t.path])
        written = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert sorted(written) == sorted(expected)
        for name, content in expected.items():
            assert written[name] == content, name

        typed = {id(t): row_function([(f.name, f.convert(codes=codes, full_ids=full_ids)) for f in t.fields],
                                      text=False, limit=2)
                 for table in tables.values() for t in table.walk()}  # (every form's root is /data)

        def same_typed(t: Table, item: dict) -> None:
            want = [converter(f.qtype, identity=f.identity, choices=dict(f.choices), codes=codes,
                              full_ids=full_ids)(item.get(f.name)) for f in t.fields]
            for _ in range(2):  # the second time from memory
                got = typed[id(t)](item)
                assert got == want and [type(v) for v in got] == [type(v) for v in want]
            for repeat in t.repeats:
                items = item.get(repeat.name)
                for sub in items if isinstance(items, list) else []:
                    if isinstance(sub, dict):
                        same_typed(repeat, sub)

        for r in saved:  # the typed cells (what the .xlsx writer gets), from the same answers
            same_typed(tables[r["form_id"]], json.loads(r["data"]))

    check()
