"""The console's 导出 gives the laptop's own 台账 (one writer, ``app.spreadsheets.ledgers.write_ledger``, fed by the
laptop's store or by the server's tables), scoped to the account and audited, against a real ``cunfang-server
serve`` (SQLite and PostgreSQL); the files open in LibreOffice, openpyxl and python-calamine."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections import Counter
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.spreadsheets.ledgers import export_ledger, ledgers, load_ledger
from app.spreadsheets.records import Filters
from sync.server import tables as t
from sync.server.console.accounts import ConsoleAccounts
from sync.server.console.views import today
from tests.sync.console_data import PASSWORD, TOWN_A, TOWN_B, VILLAGES, csrf_of, seed, sign_in

# Columns that legitimately differ between the laptop's and the server's 台账 of the same records: the server
# holds only accepted records (记录状态 is 已接收 there; on the laptop the record's own state), and the order of
# records inside a village (the laptop's is the order they were entered on it, the server's their creation time),
# hence also their 序号.
RECORD_STATE, ROW_NUMBER = "记录状态", "序号"


def console_export(server, name: str, **fields) -> tuple[int, bytes, str]:
    session, _ = sign_in(server.url, name)
    page = session.get(server.url + "/console/export", timeout=30)
    assert page.status_code == 200
    answer = session.post(server.url + "/console/export", data={"csrf": csrf_of(page.text), **fields}, timeout=300)
    return answer.status_code, answer.content, answer.text if answer.status_code != 200 else ""


def sheet(content: bytes) -> tuple[str, list[list]]:
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content), read_only=True)
    assert len(book.sheetnames) == 1
    ws = book[book.sheetnames[0]]
    return ws.title, [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def demo_laptop(tmp_path, server):
    """A laptop's demo township (``app.demo``), its villages, people and finished records pushed to the server the
    way ``cunfang-server demo`` does; console accounts for the county and for the township."""
    from app.demo import load_demo
    from sync.server.console.demo import push_store
    from tests.sync.conftest import new_laptop

    store = new_laptop(tmp_path / "laptop")
    load_demo(store, persons=40, seed=3, today=today())
    counts = push_store(server.service, store)
    assert counts["records"] == counts["records_sent"] > 0  # every finished demo record accepted
    accounts = ConsoleAccounts(server.service.db)
    accounts.add("chakan", "county_viewer", PASSWORD)
    accounts.add("xiangzhen", "township", PASSWORD, township=TOWN_A)
    yield store
    store.close()


def test_the_consoles_ledgers_equal_the_laptops_for_the_same_records(server, demo_laptop, tmp_path):
    store = demo_laptop
    day = today()
    since, until = day - timedelta(days=120), day - timedelta(days=10)
    names = list(ledgers())
    assert {"elder_visit_ledger", "elder_visit_log", "left_behind_roster"} <= set(names)
    page = sign_in(server.url, "chakan")[0].get(server.url + "/console/export", timeout=30).text
    for name in names:
        assert f'value="ledger:{name}"' in page and load_ledger(ledgers()[name]).title in page  # the same choices
    for name in names:
        ledger = load_ledger(ledgers()[name])
        dated = ledger.source == "records"
        for township in ("", TOWN_A):
            laptop_file = tmp_path / f"{name}-{township or 'all'}.xlsx"
            written = export_ledger(store, name, laptop_file, today=day,
                                    filters=Filters(since=since, until=until) if dated else None).rows
            status, content, _ = console_export(server, "chakan", what=f"ledger:{name}", township=township,
                                                **({"since": since.isoformat(), "until": until.isoformat()}
                                                   if dated else {}))
            assert status == 200 and content[:2] == b"PK"
            laptop_title, laptop_rows = sheet(laptop_file.read_bytes())
            server_title, server_rows = sheet(content)
            assert server_title == laptop_title == ledger.title
            assert server_rows[:3] == laptop_rows[:3]  # title, subtitle (unit, date, count), headers
            headers = laptop_rows[2]
            assert headers == [c.header for c in ledger.columns]
            laptop_data, server_data = laptop_rows[3:], server_rows[3:]
            assert len(server_data) == len(laptop_data) == written > 0, name
            village = headers.index("村(居)")
            assert [r[village] for r in server_data] == [r[village] for r in laptop_data]  # village by village
            if not dated:
                assert server_data == laptop_data, name  # every cell, in the same order
                continue
            keep = [i for i, h in enumerate(headers) if h not in (RECORD_STATE, ROW_NUMBER)]
            assert Counter(tuple(r[i] for i in keep) for r in server_data) == \
                Counter(tuple(r[i] for i in keep) for r in laptop_data), name
            assert {r[headers.index(RECORD_STATE)] for r in server_data} == {"已接收"}
            assert [r[0] for r in server_data] == list(range(1, len(server_data) + 1))
    # every record (one sheet a form) takes the same filters: a village and dates
    from openpyxl import load_workbook

    village = store.villages()[1]["id"]
    status, content, _ = console_export(server, "chakan", what="records", village=village,
                                        since=since.isoformat(), until=until.isoformat())
    book = load_workbook(BytesIO(content), read_only=True)
    rows = sum(1 for ws in book for row in ws.iter_rows(min_row=2, values_only=True) if row[0])
    wanted = [r for r in store.query("SELECT village_id, created_at, status FROM records WHERE status != 'draft'")
              if r["village_id"] == village]
    from app.spreadsheets.records import day_bounds

    low, high = day_bounds(Filters(since=since, until=until))
    assert status == 200 and rows == sum(low <= r["created_at"] < high for r in wanted) > 0


def test_a_township_account_exports_its_township_only_and_the_export_is_audited(server, tmp_path):
    people = seed(server.service)
    elders_a = [p for p in people if p["village_id"].startswith(TOWN_A) and p["kind"] == "elder"
                and p["status"] == "active"]
    status, content, _ = console_export(server, "xiangzhen", what="ledger:elder_visit_ledger")
    assert status == 200
    title, rows = sheet(content)
    assert title == "特殊困难老年人探访关爱台账"
    data = rows[3:]
    assert len(data) == len(elders_a) > 0
    mine = {name for code, (name, _) in VILLAGES.items() if code.startswith(TOWN_A)}
    assert {r[1] for r in data} <= mine and {r[2] for r in data} == {p["name"] for p in elders_a}
    assert all("*" in r[4] for r in data)  # ID numbers masked unless asked for
    # the county sees both townships; the township's account cannot ask for the other one
    status, county, _ = console_export(server, "chakan", what="ledger:elder_visit_ledger")
    assert len(sheet(county)[1][3:]) == sum(p["kind"] == "elder" and p["status"] == "active" for p in people)
    other = next(code for code in VILLAGES if code.startswith(TOWN_B))
    status, _, text = console_export(server, "xiangzhen", what="ledger:elder_visit_ledger", village=other)
    assert status == 422 and "不在您的查看范围内" in text and "Traceback" not in text
    status, _, text = console_export(server, "xiangzhen", what="ledger:elder_visit_ledger", township=TOWN_B)
    assert status == 422 and "不在您的查看范围内" in text
    status, _, text = console_export(server, "xiangzhen", what="ledger:elder_visit_log", since="2026-05-01",
                                     until="2026-04-01")
    assert status == 422 and "晚于结束日期" in text
    status, content, _ = console_export(server, "xiangzhen", what="ledger:elder_visit_ledger", full_ids="1")
    assert status == 200 and all("*" not in r[4] for r in sheet(content)[1][3:])
    with server.service.db.read() as conn:
        lines = conn.execute(sa.select(t.audit.c.user_name, t.audit.c.subject, t.audit.c.message)
                             .where(t.audit.c.action == "console_export").order_by(t.audit.c.id)).all()
    assert lines[0].user_name == "xiangzhen" and lines[0].subject == "ledger:elder_visit_ledger"
    assert f"{len(elders_a)} 行" in lines[0].message and "身份证号已遮蔽" in lines[0].message
    assert lines[1].user_name == "chakan"
    assert "身份证号完整" in lines[-1].message and lines[-1].user_name == "xiangzhen"
    assert len(lines) == 3  # refused exports leave no file and no line


def test_the_consoles_ledger_opens_in_libreoffice_openpyxl_and_calamine(server, tmp_path):
    from python_calamine import CalamineWorkbook

    people = seed(server.service)
    status, content, _ = console_export(server, "xiangzhen", what="ledger:elder_visit_ledger")
    assert status == 200
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content)
    expected_rows = sum(p["village_id"].startswith(TOWN_A) and p["kind"] == "elder" and p["status"] == "active"
                        for p in people)
    headers = [c.header for c in load_ledger(ledgers()["elder_visit_ledger"]).columns]

    _, rows = sheet(content)  # openpyxl
    assert rows[2] == headers and len(rows) - 3 == expected_rows
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [str(v) for v in calamine[2]] == headers and len(calamine) - 3 == expected_rows
    assert str(calamine[0][0]).endswith("特殊困难老年人探访关爱台账")

    soffice = shutil.which("soffice")
    if soffice is None:  # .ci/run installs it; a developer's laptop may not have it
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is needed under CI=true: apt-get install libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    out = tmp_path / "csv"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    with open(out / "台账.csv", encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[2] == headers and len([r for r in lines[3:] if any(r)]) == expected_rows
    assert "王秀英" in {r[2] for r in lines[3:]} and Path(out / "台账.csv").stat().st_size > 0
