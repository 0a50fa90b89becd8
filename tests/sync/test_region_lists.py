"""The county's list of townships and villages: the bureau publishes it (``cunfang-server regions``), laptops pull
it with the forms, and a village added at the bureau is offered by the forms on the laptop after the next sync;
the server judges records by the same list."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.forms.fill import fill
from app.forms.library import FormLibrary
from sync.client.client import SyncClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forms"))
from test_builtin_registry_forms import registry  # noqa: E402  (a complete 特殊困难老年人 registration)

COUNTY, TOWN = "340123", "340123101"  # 肥西县, 三河镇
NEW_VILLAGE = "340123101299"


def offered(store) -> dict[str, str]:
    return {row["name"]: row["label"] for row in store.village_choices()}


def test_a_village_added_at_the_bureau_is_offered_on_the_laptop_after_sync(sqlite_server, laptop_factory):
    server = sqlite_server
    loaded = server.cli("regions", "load", COUNTY)
    assert "已发布县 340123 的名单" in loaded.stdout
    added = server.cli("regions", "set", NEW_VILLAGE, "新河村")  # 新增: not in the 2023 table
    assert "新河村" in added.stdout
    assert (NEW_VILLAGE, "新河村") in server.service.regions.rows(COUNTY)

    laptop = laptop_factory(server, "wang", "township_staff", "*")
    laptop.set_township(TOWN)
    form = FormLibrary().get("elder_registry")
    answers = registry(region_code=NEW_VILLAGE)
    assert NEW_VILLAGE not in offered(laptop)
    assert "region_code" in fill(form, answers, instances=laptop.form_instances())["errors"]

    with SyncClient(laptop) as client:
        report = client.run()
    assert report.error == "" and report.regions_received, report.error
    assert offered(laptop)[NEW_VILLAGE] == "新河村" and offered(laptop)["340123101202"] == "太华村"
    assert "新河村" in {v["name"] for v in laptop.villages()}, "the registry knows the new village"

    # a record in the new village: valid on the laptop and accepted by the server, which judges by the same list
    result = fill(form, answers, instances=laptop.form_instances())
    assert result["valid"], result["errors"]
    assert result["data"]["village"] == "新河村", "the record keeps the code and writes the name"
    uuid = laptop.save_draft(form_id=form.form_id, form_version=form.version, data=result["data"],
                             village_id=NEW_VILLAGE, author="李秀兰", title="台账")
    laptop.finalize(uuid, form, author="李秀兰")
    with SyncClient(laptop) as client:
        again = client.run()
    assert again.error == "" and again.counts() == {"accepted": 1}, again.to_json()
    assert again.regions_received == [], "an unchanged list is not fetched again"
    assert again.registry_sent == 2, "the new village and the person only: the other villages are not sent again"



def test_the_bureau_list_is_checked_before_it_is_published(sqlite_server, tmp_path):
    server = sqlite_server
    outside = server.cli("regions", "set", "340124101299", "外县村", check=False)
    assert outside.returncode == 1 and "还没有县“340124”的村名单" in outside.stderr
    listing = tmp_path / "county.csv"
    listing.write_text("code,name\n340123101,三河镇\n340123101001,北街社区\n340123109001,丰乐村\n", encoding="utf-8")
    wrong = server.cli("regions", "load", COUNTY, "--file", str(listing), check=False)
    assert wrong.returncode == 1 and "340123109 不在名单里" in wrong.stderr and "Traceback" not in wrong.stderr
    listing.write_text("code,name\n340123101,三河镇\n340123101001,北街社区\n340123101900,新建村\n", encoding="utf-8")
    right = server.cli("regions", "load", COUNTY, "--file", str(listing))
    assert "3 个乡镇和村" in right.stdout
    assert server.cli("regions", "show").stdout.split() == ["340123", "3", "个乡镇和村"]
    # a merged village taken off the list
    server.service.regions.remove_place("340123101900")
    shown = json.loads(server.cli("regions", "show", COUNTY, "--township", TOWN, "--json").stdout)
    assert shown == [{"code": "340123101", "name": "三河镇"}, {"code": "340123101001", "name": "北街社区"}]


def test_rows_the_servers_answer_does_not_clear_are_sent_once_not_ten_thousand_times(sqlite_server, laptop_factory):
    """A row that stays marked "not yet sent" after the server accepted it (a local trigger marking it again, as
    once happened when a list pull rewrote every village) must not make sync send the same page round after round."""
    laptop = laptop_factory(sqlite_server, "wang", "township_staff", "*")
    laptop.set_township(TOWN)
    laptop.conn.execute("CREATE TRIGGER test_remark AFTER UPDATE OF server_seq ON villages "
                        "BEGIN UPDATE villages SET dirty = 1 WHERE id = NEW.id AND dirty = 0; END")
    marked = laptop.query("SELECT count(*) AS n FROM villages WHERE dirty = 1")[0]["n"]
    assert marked > 0
    with SyncClient(laptop) as client:
        report = client.run()
    assert report.error == "", report.error
    assert report.registry_sent <= 2 * marked, report.registry_sent  # one page, perhaps once again: never a loop
